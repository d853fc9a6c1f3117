"""The seed's rules and the use cases. No Qt and no printing: the CLI, the tests and the window
all call these."""
