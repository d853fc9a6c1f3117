"""The Qt window: thin views over app.services. Nothing outside this package imports Qt."""
