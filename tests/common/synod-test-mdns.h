/* synod-test-mdns.h — a private D-Bus system bus and an avahi-daemon limited
 * to loopback, for discovery tests.
 *
 * Never the stock configuration: the daemon is told allow-interfaces=lo, no
 * wide area, no IPv6, and a host name of the test's own, so no mDNS packet
 * leaves the machine. It runs in a private mount namespace (its pid file and
 * socket live on a tmpfs there), so tests can run side by side, and dies with
 * the test process (PR_SET_PDEATHSIG). Needs root; callers skip otherwise.
 *
 * Two avahi-daemons on one loopback interface fight over the reverse record
 * of 127.0.0.1 and rename themselves forever, so a test first moves itself
 * into a network namespace of its own, with only a loopback interface
 * (synod_test_mdns_isolate()): tests running side by side on one machine
 * then never see each other, and nothing can leave the machine.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SynodTestMdns SynodTestMdns;

gboolean synod_test_mdns_can_run (gchar **ret_reason);
gboolean synod_test_mdns_isolate (GError **error);
SynodTestMdns *synod_test_mdns_setup (const gchar *host_name, gchar **ret_skip_reason);
SynodTestMdns *synod_test_mdns_new (const gchar *host_name, GError **error);
gboolean synod_test_mdns_start_avahi (SynodTestMdns *mdns, GError **error);
void synod_test_mdns_stop_avahi (SynodTestMdns *mdns);
const gchar *synod_test_mdns_get_bus_address (SynodTestMdns *mdns);
void synod_test_mdns_free (SynodTestMdns *mdns);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodTestMdns, synod_test_mdns_free)

G_END_DECLS
