"""yakkan (約款): a formal state machine simulator and verifier for service contracts."""

__version__ = "0.1.0"
