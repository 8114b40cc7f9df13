/* synod-test-peers.h — synodd processes configured for the discovery
 * tests, and a small client that asks a daemon's "synod.peer" object what
 * it knows.
 *
 * The daemons are those of synod-test-daemon.h (kernel-chosen loopback
 * port, own state directory and log, readiness waited for, dying with the
 * test), started from a few options. Point DBUS_SYSTEM_BUS_ADDRESS at a
 * private bus first (synod-test-mdns.h), or give @bus_address.
 */
#pragma once

#include <synod.h>

#include "synod-test-daemon.h"

G_BEGIN_DECLS

/**
 * SynodTestPeerOptions:
 * @cluster: (nullable): its cluster (--cluster)
 * @discovery: whether mDNS discovery is on
 * @peers: (nullable) (array zero-terminated=1): static peers (--peer)
 * @services: (nullable): when set, the daemon loads the Test.Locator plugin
 *   and creates one Test.Locator object with these service names
 *   (";"-separated, as in a configuration file)
 * @probe_interval_ms: its probe interval (0: the default)
 * @listen: (nullable): --listen (default "127.0.0.1:0")
 * @bus_address: (nullable): its DBUS_SYSTEM_BUS_ADDRESS (default: the
 *   test's own)
 */
typedef struct
{
  const gchar *cluster;
  gboolean discovery;
  const gchar *const *peers;
  const gchar *services;
  guint probe_interval_ms;
  const gchar *listen;
  const gchar *bus_address;
} SynodTestPeerOptions;

SynodTestDaemon *synod_test_peer_start (const SynodTestPeerOptions *options, GError **error);
gboolean synod_test_peer_stop (SynodTestDaemon *daemon, int signo, GError **error);
guint synod_test_peer_count_in_log (SynodTestDaemon *daemon, const gchar *text);

/**
 * SynodTestPeerEntry:
 *
 * One row of a daemon's peer table, as its synod.peer object's peers()
 * answers (idl/peer.idl, Standard.PeerEntry).
 */
typedef struct
{
  guint64 id;
  gchar *sources;
  gchar *state;
  gchar *address;
  gchar **addresses;
  gchar *cluster;
  gchar *last_error;
} SynodTestPeerEntry;

void synod_test_peer_entry_free (SynodTestPeerEntry *entry);

GPtrArray *synod_test_query_peers (const gchar *address, guint64 *ret_id, GError **error);
GVariant *synod_test_query_info (const gchar *address, GError **error);
gchar *synod_test_query_ask (const gchar *address, const gchar *service, GError **error);
SynodTestPeerEntry *synod_test_find_entry (GPtrArray *entries, guint64 id);
gchar *synod_test_describe_entries (GPtrArray *entries);
gboolean synod_test_wait_mesh (SynodTestDaemon **daemons, guint n, guint timeout_s, GError **error);
gboolean synod_test_wait_log (SynodTestDaemon *daemon, const gchar *text, guint count,
                              guint timeout_s);

G_END_DECLS
