"""Benchmarks of the cent SDK: ``python -m benchmarks`` (see ``__main__.py``).

``bench_cpu.py`` is the client CPU benchmark on its own; ``refenv.py`` keeps
the reference SDK (cent 5.2.0) in a venv of its own.
"""
