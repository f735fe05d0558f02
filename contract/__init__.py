"""The public CAVRA contract: the shapes of tenant onboarding and entitlement status, and nothing that provisions.

Start at ``contract.models`` (the shapes), ``contract.requirements`` (what activation needs, per deployment
model) and ``contract.documents`` (validation: shape plus public safety). See docs/contract.md.
"""
