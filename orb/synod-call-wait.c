/* synod-call-wait.c — a method waiting for something other than a send.
 *
 * A method that makes a synchronous send is suspended while it waits: its
 * object's slot goes to the next invocation, and the worker pool runs
 * another thread in its place. A method that waits for an event another
 * thread signals (a reply that arrives as another invocation, a condition
 * variable, a queue) needs the same two things, or every worker may end up
 * waiting for an invocation that no worker is left to run. These two calls
 * give it them. */
#include "config.h"

#include "broker-private.h"
#include "synod-call.h"

/**
 * synod_call_wait_begin:
 * @wait: caller-allocated state, passed to synod_call_wait_end()
 * @error: return location for a %SYNOD_ORB_ERROR_LIMIT error
 *
 * Says that the calling method is about to wait for something another
 * thread will do (not a send: sends do this themselves). Its object's slot
 * is released, as during a synchronous send, so the object serves its next
 * invocation meanwhile (unless the method is concurrent, which holds no
 * slot), and the worker pool lets another thread run in its place. Outside
 * a method, or on a thread that is not a worker, it does nothing and
 * succeeds. Pair every successful call with synod_call_wait_end().
 *
 * Returns: %FALSE when every thread the broker may run is already blocked:
 *   waiting could then deadlock, so the caller must not wait
 */
gboolean
synod_call_wait_begin (SynodCallWait *wait, GError **error)
{
  SynodInvocation *cur = _synod_current_invocation ();

  g_return_val_if_fail (wait != NULL, FALSE);
  wait->_broker = NULL;
  wait->_suspended = NULL;
  if (cur == NULL)
    return TRUE;
  if (!_synod_scheduler_block_begin (cur->call.broker->scheduler, error))
    return FALSE;
  wait->_broker = cur->call.broker;
  wait->_suspended = _synod_suspend_current ();
  return TRUE;
}

/**
 * synod_call_wait_end:
 * @wait: the state synod_call_wait_begin() filled
 *
 * The wait is over: the thread counts as running again and the method
 * takes its object's slot back (waiting, if another method holds it now,
 * ahead of queued invocations).
 */
void
synod_call_wait_end (SynodCallWait *wait)
{
  SynodBroker *broker;

  g_return_if_fail (wait != NULL);
  broker = wait->_broker;
  if (broker == NULL)
    return;
  _synod_scheduler_block_end (broker->scheduler);
  _synod_resume (wait->_suspended);
  wait->_broker = NULL;
  wait->_suspended = NULL;
}
