"""The domain and its storage. No UI imports here: both faces (CLI, dashboard) call this.

Packages in layers, each importing only from those below (ARCHITECTURE.md has the picture and
where each rule lives): kernel -> people -> funnel | work -> calls -> reports -> maintenance;
reactions.py wires domain events (kernel/events.py) to their handlers.
"""
