"""The demo network generator behind ``manage.py demo`` (see ``network.network_generate``)."""
