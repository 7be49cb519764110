"""The portal's forms by area, beside ``portal.views``: they parse input into the services' arguments."""
