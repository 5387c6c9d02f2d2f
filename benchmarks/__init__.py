"""Benchmarks of the cent SDK; see bench_cpu.py."""
