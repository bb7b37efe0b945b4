"""The funnel: the stages of a pipeline and the one transition rule every stage change
goes through (transition.enter_stage), the traffic light, checkpoints and their gates, and deal
health.

May import: kernel, people. Not calls or work: what entering a stage does to tasks is a domain
event (kernel.events.StageEntered) that work handles.
"""
