pytest_plugins = ["cent.testing.pytest_plugin"]
