"""Work inside a deal: orders, tasks and their queue, the timer, forecasts, process
templates, the inbox and estimate-vs-actual efficiency.

May import: kernel, people. Not calls or funnel: it knows deals only through kernel.models and
kernel.lookup.
"""
