"""The reference broker: three virtual brokers (cyber, diamond, star) as an ASGI app, their seeded
data, and a catalogue of named faults that turn a conforming broker into a realistically broken one.

    from conformance.reference import ReferenceServer
    with ReferenceServer(broker="cyber", faults=["page-drops"]) as srv:
        ...  # srv.base_url

The reference broker knows nothing of the suites; the suites know it only through HTTP.
"""

from conformance.reference.app import create_app
from conformance.reference.brokers import BROKER_NAMES, BrokerConfig, get_broker
from conformance.reference.faults import FAULTS, Fault, catalogue_lines
from conformance.reference.server import ReferenceServer, serve_command

__all__ = [
    "BROKER_NAMES", "FAULTS", "BrokerConfig", "Fault", "ReferenceServer", "catalogue_lines", "create_app",
    "get_broker", "serve_command",
]
