"""The dashboard's screens: Today (counters and the queue), Deal (the call card), and modals."""
