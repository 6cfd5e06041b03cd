"""The benchmarks (bench/run runs them all); a package so that they share bench/benchlib.py."""
