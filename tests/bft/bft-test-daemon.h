/* bft-test-daemon.h — real synodd processes for the BFT service tests.
 *
 * The same shape as the project's shared daemon helper for multi-process
 * tests (start with options, readiness on --ready-fd, restart on the same
 * address, stop with a signal, always cleaned up), so that the BFT tests
 * move to it by renaming. A daemon listens on a kernel-chosen loopback
 * port (restarts keep it), runs without mDNS and rpcbind, logs to a file
 * shown when a start fails, and dies with the test: PR_SET_PDEATHSIG in
 * the child, an atexit() handler, and bft_test_daemon_free(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _BftTestDaemon BftTestDaemon;

/**
 * BftTestDaemonOptions:
 * @listen: (nullable): "ADDRESS:PORT", default "127.0.0.1:0"
 * @state_dir: the state directory (kept)
 * @peers: (nullable): static peers
 * @config_file: (nullable): a configuration file
 * @log_file: (nullable): where its output goes (default STATE_DIR.log)
 * @ready_timeout_ms: how long to wait for readiness (default 15000)
 */
typedef struct
{
  const gchar *listen;
  const gchar *state_dir;
  const gchar *const *peers;
  const gchar *config_file;
  const gchar *log_file;
  guint ready_timeout_ms;
} BftTestDaemonOptions;

const gchar *bft_test_synodd_path (void);
BftTestDaemon *bft_test_daemon_start (const BftTestDaemonOptions *options, GError **error);
gboolean bft_test_daemon_restart (BftTestDaemon *daemon, const gchar *const *peers, GError **error);
gboolean bft_test_daemon_stop (BftTestDaemon *daemon, int signal_number, guint timeout_ms);
gboolean bft_test_daemon_is_running (BftTestDaemon *daemon);
void bft_test_daemon_free (BftTestDaemon *daemon);
const gchar *bft_test_daemon_get_address (BftTestDaemon *daemon);
GPid bft_test_daemon_get_pid (BftTestDaemon *daemon);
gchar *bft_test_daemon_get_log (BftTestDaemon *daemon);

void bft_test_remove_tree (const gchar *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BftTestDaemon, bft_test_daemon_free)

G_END_DECLS
