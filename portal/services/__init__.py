"""The portal's use cases, one function each, by area (appointments, schedules, catalog, profile, records).

Every function takes the acting member (``actor``: a ``Membership``) and ``now`` as keyword arguments,
refuses an object of another clinic (``NotYours``, answered 404 like the views' ``access_*``), owns its
transaction and writes the audit entry in it. Views parse, fetch through ``portal.access``, call one of
these, render.
"""
