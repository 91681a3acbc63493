"""staffmix: plan a contact centre's staffing hour by hour, in-house shifts versus vendors."""

__version__ = "0.1.0"
