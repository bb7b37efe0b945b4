"""The domain and its storage. No UI imports here: both faces (CLI, dashboard) call this."""
