/* synod-test-daemon.h — real synodd processes for multi-process tests.
 *
 * Starts synodd with a kernel-chosen loopback port (--listen 127.0.0.1:0),
 * no mDNS and no rpcbind unless asked, a state directory of its own, and
 * waits for its readiness line on --ready-fd (never a fixed sleep). Every
 * daemon dies with the test: the child asks the kernel for SIGKILL when its
 * parent dies (PR_SET_PDEATHSIG, so an assertion's abort() leaves nothing
 * behind), an atexit() handler kills those still running, and
 * synod_test_daemon_free() stops it (SIGTERM, then SIGKILL) and removes
 * what it created. A command prefix (e.g. `ip netns exec NS`) runs the
 * daemon elsewhere; the prefix must exec the daemon (same pid).
 *
 * The daemon binary is $SYNOD_TEST_SYNODD, else the build tree's
 * services/synodd; its output (stdout and stderr) goes to a log file, shown
 * by synod_test_daemon_get_log() and on a failed start.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _SynodTestDaemon SynodTestDaemon;

/**
 * SynodTestDaemonOptions:
 * @argv_prefix: (nullable): words run before synodd (it must exec it)
 * @listen: (nullable): "ADDRESS:PORT", default "127.0.0.1:0"
 * @state_dir: (nullable): the state directory (kept); default: a fresh
 *   temporary one, removed by synod_test_daemon_free()
 * @peers: (nullable): static peers ("HOST:PORT")
 * @config_file: (nullable): a configuration file
 * @extra_args: (nullable): more options
 * @envp: (nullable): extra environment ("NAME=VALUE")
 * @discovery: pass --discovery (default: --no-discovery)
 * @rpcbind: pass --rpcbind (default: --no-rpcbind)
 * @ready_timeout_ms: how long to wait for readiness (default 15000)
 */
typedef struct
{
  const gchar *const *argv_prefix;
  const gchar *listen;
  const gchar *state_dir;
  const gchar *const *peers;
  const gchar *config_file;
  const gchar *const *extra_args;
  const gchar *const *envp;
  gboolean discovery;
  gboolean rpcbind;
  guint ready_timeout_ms;
} SynodTestDaemonOptions;

void synod_test_daemon_options_init (SynodTestDaemonOptions *options);
const gchar *synod_test_synodd_path (void);
const gchar *synod_test_synod_path (void);

SynodTestDaemon *synod_test_daemon_start (const SynodTestDaemonOptions *options, GError **error);
gboolean synod_test_daemon_restart (SynodTestDaemon *daemon, GError **error);
void synod_test_daemon_set_peers (SynodTestDaemon *daemon, const gchar *const *peers);
gboolean synod_test_daemon_restart_elsewhere (SynodTestDaemon *daemon, GError **error);
gboolean synod_test_daemon_stop (SynodTestDaemon *daemon, int signal_number, guint timeout_ms,
                                 int *ret_wait_status);
void synod_test_daemon_kill (SynodTestDaemon *daemon);
gboolean synod_test_daemon_is_running (SynodTestDaemon *daemon);
void synod_test_daemon_free (SynodTestDaemon *daemon);

GPid synod_test_daemon_get_pid (SynodTestDaemon *daemon);
guint64 synod_test_daemon_get_peer_id (SynodTestDaemon *daemon);
const gchar *synod_test_daemon_get_peer_id_text (SynodTestDaemon *daemon);
const gchar *synod_test_daemon_get_address (SynodTestDaemon *daemon);
guint16 synod_test_daemon_get_port (SynodTestDaemon *daemon);
const gchar *synod_test_daemon_get_state_dir (SynodTestDaemon *daemon);
gchar *synod_test_daemon_get_log (SynodTestDaemon *daemon);

/* Any other program (the command-line tool), bounded in time. */
typedef struct _SynodTestProcess SynodTestProcess;

SynodTestProcess *synod_test_process_spawn (const gchar *const *argv, const gchar *const *envp,
                                            GError **error);
gchar *synod_test_process_read_line (SynodTestProcess *process, guint timeout_ms);
gboolean synod_test_process_wait_for_line (SynodTestProcess *process, const gchar *needle,
                                           guint timeout_ms);
gboolean synod_test_process_finish (SynodTestProcess *process, int signal_number, guint timeout_ms,
                                    gchar **ret_stdout, gchar **ret_stderr, int *ret_wait_status);
GPid synod_test_process_get_pid (SynodTestProcess *process);
void synod_test_process_free (SynodTestProcess *process);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodTestProcess, synod_test_process_free)

void synod_test_remove_tree (const gchar *path);
/* @name in PATH or an sbin/bin directory (root's tools are in sbin), or NULL. */
gchar *synod_test_find_tool (const gchar *name);

gboolean synod_test_run (const gchar *const *argv, const gchar *const *envp, guint timeout_ms,
                         gchar **ret_stdout, gchar **ret_stderr, int *ret_exit_status,
                         GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SynodTestDaemon, synod_test_daemon_free)

G_END_DECLS
