"""The call campaigns: clients, campaigns, deals and the outcome of each call, the shared
pool, the operator's Today, and importing lists and workbooks.

May import: kernel, people, funnel (a call moves a deal through the funnel), work (a deal card
lists its orders).
"""
