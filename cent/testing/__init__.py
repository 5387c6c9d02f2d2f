"""Test helpers: real Centrifugo servers for the test suite.

* :mod:`cent.testing.server` builds and runs servers (standard library only),
  and is also a command line tool: ``python -m cent.testing.server --help``.
* :mod:`cent.testing.pytest_plugin` turns them into pytest fixtures.

Nothing is imported here, so that ``python -m cent.testing.server`` runs the
module once, as ``__main__``.
"""
