/* synod-test-daemon.h — real synodd processes for multi-process tests, and
 * a small client that asks a daemon's "synod.peer" object what it knows.
 *
 * A daemon is started from the build tree on a loopback port chosen by the
 * kernel, with its own state directory and log, and waited for through its
 * --ready-fd line (never a fixed sleep). It dies with the test process
 * (PR_SET_PDEATHSIG). Its environment is the test's: point
 * DBUS_SYSTEM_BUS_ADDRESS at a private bus first (synod-test-mdns.h).
 */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

typedef struct _SynodTestDaemon SynodTestDaemon;

/**
 * SynodTestDaemonOptions:
 * @label: a short name for its directory and messages ("a", "b"...)
 * @cluster: (nullable): its cluster (--cluster)
 * @discovery: whether mDNS discovery is on (the `discovery` key of its
 *   configuration file)
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
  const gchar *label;
  const gchar *cluster;
  gboolean discovery;
  const gchar *const *peers;
  const gchar *services;
  guint probe_interval_ms;
  const gchar *listen;
  const gchar *bus_address;
} SynodTestDaemonOptions;

/* Where the built synodd and plugin are found (SYNOD_TOP_BUILDDIR). */
gchar *synod_test_build_path (const gchar *relative);

SynodTestDaemon *synod_test_daemon_start (const SynodTestDaemonOptions *options, GError **error);
guint64 synod_test_daemon_get_id (SynodTestDaemon *daemon);
const gchar *synod_test_daemon_get_address (SynodTestDaemon *daemon);
const gchar *synod_test_daemon_get_label (SynodTestDaemon *daemon);
gboolean synod_test_daemon_is_running (SynodTestDaemon *daemon);
gboolean synod_test_daemon_stop (SynodTestDaemon *daemon, int signo, GError **error);
gchar *synod_test_daemon_get_log (SynodTestDaemon *daemon);
guint synod_test_daemon_count_in_log (SynodTestDaemon *daemon, const gchar *text);
void synod_test_daemon_free (SynodTestDaemon *daemon);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodTestDaemon, synod_test_daemon_free)

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
