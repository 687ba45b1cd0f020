"""Publishing catalog entries to a live catalog server (`meshgen publish <catalog>`).

A catalog module turns the files a target built (in memory: the build's unit results, never
written) into requests in dependency order and sends them with the standard library. Sending is
the only thing here that touches the network; every failure is a MeshgenError whose message never
holds the token.
"""
