/* synod-network-private.h — between the network and its peer object. */
#pragma once

#include "synod-network.h"

G_BEGIN_DECLS

void _synod_network_set_peer_object (SynodNetwork *network, SynodObject *object);

G_END_DECLS
