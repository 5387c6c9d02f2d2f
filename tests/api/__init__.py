"""Real-server tests of the Centrifugo API, run through every client kind."""
