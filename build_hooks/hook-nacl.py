# PyInstaller hook for PyNaCl (app/signing.py). nacl._sodium is a cffi extension: it imports
# _cffi_backend from C, which PyInstaller's import scan cannot see, and without it the built
# program fails at its first signature ("No module named '_cffi_backend'").
hiddenimports = ["_cffi_backend"]
