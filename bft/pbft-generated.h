/* pbft-generated.h — C types and descriptors of bft/pbft.idl, written by
 * hand exactly as idl/README.md's C mapping says synod-idl generates them,
 * until synod-idl compiles bft/pbft.idl; then the generated bft/pbft.h
 * replaces this file and bft/pbft-generated.c without other changes. */
#pragma once

#include <synod.h>

G_BEGIN_DECLS

#define SYNOD_PBFT_DIGEST_SIZE 32
#define SYNOD_PBFT_MAC_SIZE 32
#define SYNOD_PBFT_SIGNATURE_SIZE 64
#define SYNOD_PBFT_MAX_REPLICAS 64
#define SYNOD_PBFT_MAX_OP_SIZE 65536
#define SYNOD_PBFT_MAX_RESULT_SIZE 65536
#define SYNOD_PBFT_MAX_BATCH 1024
#define SYNOD_PBFT_MAX_LOG_ENTRIES 16384
#define SYNOD_PBFT_MAX_QSET 4
#define SYNOD_PBFT_MAX_CLIENT_RECORDS 1048576

typedef guint8 SynodPbftDigest[32];
typedef guint8 SynodPbftMac[32];
typedef guint8 SynodPbftSignature[64];

typedef enum
{
  SYNOD_PBFT_AUTH_NONE = 0,
  SYNOD_PBFT_AUTH_MAC = 1,
  SYNOD_PBFT_AUTH_AUTHENTICATOR = 2,
  SYNOD_PBFT_AUTH_SIGNATURE = 3,
} SynodPbftAuthKind;

typedef struct _SynodPbftAuth SynodPbftAuth;
struct _SynodPbftAuth
{
  SynodPbftAuthKind kind;
  union
  {
    SynodPbftMac mac;
    struct
    {
      guint32 len;
      SynodPbftMac *val;
    } macs;
    SynodPbftSignature signature;
  } u;
};

typedef struct _SynodPbftRequest SynodPbftRequest;
struct _SynodPbftRequest
{
  guint64 client;
  guint64 number;
  guint32 origin;
  gboolean read_only;
  struct
  {
    guint32 len;
    guint8 *val;
  } op;
};

typedef struct _SynodPbftSignedRequest SynodPbftSignedRequest;
struct _SynodPbftSignedRequest
{
  SynodPbftRequest request;
  SynodPbftAuth auth;
};

typedef struct _SynodPbftRequestStatement SynodPbftRequestStatement;
struct _SynodPbftRequestStatement
{
  guint64 service;
  SynodPbftRequest request;
};

typedef struct _SynodPbftNonDet SynodPbftNonDet;
struct _SynodPbftNonDet
{
  guint64 timestamp;
  guint64 proposer_view;
  struct
  {
    guint32 len;
    guint8 *val;
  } seed_proof;
};

typedef struct _SynodPbftSeedStatement SynodPbftSeedStatement;
struct _SynodPbftSeedStatement
{
  guint64 service;
  guint64 view;
  guint64 seq;
};

typedef struct _SynodPbftBatch SynodPbftBatch;
struct _SynodPbftBatch
{
  SynodPbftNonDet nondet;
  struct
  {
    guint32 len;
    SynodPbftSignedRequest *val;
  } requests;
};

typedef struct _SynodPbftPrePrepare SynodPbftPrePrepare;
struct _SynodPbftPrePrepare
{
  guint64 view;
  guint64 seq;
  SynodPbftBatch batch;
};

typedef struct _SynodPbftVote SynodPbftVote;
struct _SynodPbftVote
{
  guint64 view;
  guint64 seq;
  SynodPbftDigest digest;
};

typedef struct _SynodPbftReply SynodPbftReply;
struct _SynodPbftReply
{
  guint64 view;
  guint64 client;
  guint64 number;
  guint32 replica;
  gboolean read_only;
  struct
  {
    guint32 len;
    guint8 *val;
  } result;
  struct
  {
    guint32 len;
    guint8 *val;
  } signature;
};

typedef struct _SynodPbftReplyStatement SynodPbftReplyStatement;
struct _SynodPbftReplyStatement
{
  guint64 service;
  guint32 replica;
  guint64 client;
  guint64 number;
  gboolean read_only;
  SynodPbftDigest result_digest;
};

typedef struct _SynodPbftCheckpoint SynodPbftCheckpoint;
struct _SynodPbftCheckpoint
{
  guint64 seq;
  SynodPbftDigest digest;
};

typedef struct _SynodPbftCheckpointSignature SynodPbftCheckpointSignature;
struct _SynodPbftCheckpointSignature
{
  guint32 replica;
  SynodPbftSignature signature;
};

typedef struct _SynodPbftCheckpointProof SynodPbftCheckpointProof;
struct _SynodPbftCheckpointProof
{
  guint64 seq;
  SynodPbftDigest digest;
  struct
  {
    guint32 len;
    SynodPbftCheckpointSignature *val;
  } signatures;
};

typedef struct _SynodPbftLogClaim SynodPbftLogClaim;
struct _SynodPbftLogClaim
{
  guint64 seq;
  SynodPbftDigest digest;
  guint64 view;
};

typedef struct _SynodPbftViewChange SynodPbftViewChange;
struct _SynodPbftViewChange
{
  guint64 view;
  SynodPbftCheckpointProof stable;
  struct
  {
    guint32 len;
    SynodPbftLogClaim *val;
  } prepared;
  struct
  {
    guint32 len;
    SynodPbftLogClaim *val;
  } preprepared;
};

typedef struct _SynodPbftSignedViewChange SynodPbftSignedViewChange;
struct _SynodPbftSignedViewChange
{
  guint32 replica;
  SynodPbftViewChange view_change;
  SynodPbftSignature signature;
};

typedef struct _SynodPbftNewViewEntry SynodPbftNewViewEntry;
struct _SynodPbftNewViewEntry
{
  guint64 seq;
  SynodPbftDigest digest;
};

typedef struct _SynodPbftNewView SynodPbftNewView;
struct _SynodPbftNewView
{
  guint64 view;
  struct
  {
    guint32 len;
    SynodPbftSignedViewChange *val;
  } view_changes;
  struct
  {
    guint32 len;
    SynodPbftNewViewEntry *val;
  } entries;
};

typedef struct _SynodPbftStatus SynodPbftStatus;
struct _SynodPbftStatus
{
  guint64 view;
  gboolean view_active;
  guint64 stable_seq;
  guint64 last_executed;
};

typedef struct _SynodPbftFetchBatch SynodPbftFetchBatch;
struct _SynodPbftFetchBatch
{
  guint64 seq;
  SynodPbftDigest digest;
};

typedef struct _SynodPbftBatchData SynodPbftBatchData;
struct _SynodPbftBatchData
{
  guint64 seq;
  SynodPbftBatch batch;
};

typedef struct _SynodPbftClientRecord SynodPbftClientRecord;
struct _SynodPbftClientRecord
{
  guint64 client;
  guint64 number;
  guint64 seq;
  struct
  {
    guint32 len;
    guint8 *val;
  } result;
};

typedef struct _SynodPbftCheckpointState SynodPbftCheckpointState;
struct _SynodPbftCheckpointState
{
  guint64 seq;
  guint64 timestamp;
  SynodPbftDigest app_digest;
  struct
  {
    guint32 len;
    SynodPbftClientRecord *val;
  } clients;
};

typedef struct _SynodPbftFetchState SynodPbftFetchState;
struct _SynodPbftFetchState
{
  guint64 seq;
};

typedef struct _SynodPbftStateData SynodPbftStateData;
struct _SynodPbftStateData
{
  SynodPbftCheckpointProof proof;
  SynodPbftCheckpointState state;
  struct
  {
    guint32 len;
    guint8 *val;
  } app_snapshot;
};

typedef enum
{
  SYNOD_PBFT_MSG_REQUEST = 1,
  SYNOD_PBFT_MSG_PRE_PREPARE = 2,
  SYNOD_PBFT_MSG_PREPARE = 3,
  SYNOD_PBFT_MSG_COMMIT = 4,
  SYNOD_PBFT_MSG_REPLY = 5,
  SYNOD_PBFT_MSG_CHECKPOINT = 6,
  SYNOD_PBFT_MSG_VIEW_CHANGE = 7,
  SYNOD_PBFT_MSG_NEW_VIEW = 8,
  SYNOD_PBFT_MSG_STATUS = 9,
  SYNOD_PBFT_MSG_FETCH_BATCH = 10,
  SYNOD_PBFT_MSG_BATCH = 11,
  SYNOD_PBFT_MSG_FETCH_STATE = 12,
  SYNOD_PBFT_MSG_STATE = 13,
} SynodPbftMessageType;

typedef struct _SynodPbftBody SynodPbftBody;
struct _SynodPbftBody
{
  SynodPbftMessageType type;
  union
  {
    SynodPbftSignedRequest request;
    SynodPbftPrePrepare pre_prepare;
    SynodPbftVote vote;
    SynodPbftReply reply;
    SynodPbftCheckpoint checkpoint;
    SynodPbftViewChange view_change;
    SynodPbftNewView new_view;
    SynodPbftStatus status;
    SynodPbftFetchBatch fetch_batch;
    SynodPbftBatchData batch;
    SynodPbftFetchState fetch_state;
    SynodPbftStateData state;
  } u;
};

typedef struct _SynodPbftMessage SynodPbftMessage;
struct _SynodPbftMessage
{
  guint64 service;
  guint32 sender;
  SynodPbftBody body;
};

typedef struct _SynodPbftEnvelope SynodPbftEnvelope;
struct _SynodPbftEnvelope
{
  SynodPbftMessage message;
  SynodPbftAuth auth;
};

typedef struct _SynodPbftEntryRecord SynodPbftEntryRecord;
struct _SynodPbftEntryRecord
{
  guint64 seq;
  gboolean has_pre_prepare;
  guint64 pre_prepare_view;
  SynodPbftDigest pre_prepare_digest;
  gboolean has_prepared;
  SynodPbftLogClaim prepared;
  struct
  {
    guint32 len;
    SynodPbftLogClaim *val;
  } preprepared;
  gboolean committed;
};

typedef struct _SynodPbftViewRecord SynodPbftViewRecord;
struct _SynodPbftViewRecord
{
  guint64 view;
  gboolean active;
};

typedef struct _SynodPbftCheckpointRecord SynodPbftCheckpointRecord;
struct _SynodPbftCheckpointRecord
{
  SynodPbftCheckpointState state;
  struct
  {
    guint32 len;
    guint8 *val;
  } app_snapshot;
};

extern const SynodTypeDesc synod_pbft_digest_desc;
extern const SynodTypeDesc synod_pbft_mac_desc;
extern const SynodTypeDesc synod_pbft_signature_desc;
extern const SynodTypeDesc synod_pbft_auth_kind_desc;
extern const SynodTypeDesc synod_pbft_auth_desc;
extern const SynodTypeDesc synod_pbft_request_desc;
extern const SynodTypeDesc synod_pbft_signed_request_desc;
extern const SynodTypeDesc synod_pbft_request_statement_desc;
extern const SynodTypeDesc synod_pbft_non_det_desc;
extern const SynodTypeDesc synod_pbft_seed_statement_desc;
extern const SynodTypeDesc synod_pbft_batch_desc;
extern const SynodTypeDesc synod_pbft_pre_prepare_desc;
extern const SynodTypeDesc synod_pbft_vote_desc;
extern const SynodTypeDesc synod_pbft_reply_desc;
extern const SynodTypeDesc synod_pbft_reply_statement_desc;
extern const SynodTypeDesc synod_pbft_checkpoint_desc;
extern const SynodTypeDesc synod_pbft_checkpoint_signature_desc;
extern const SynodTypeDesc synod_pbft_checkpoint_proof_desc;
extern const SynodTypeDesc synod_pbft_log_claim_desc;
extern const SynodTypeDesc synod_pbft_view_change_desc;
extern const SynodTypeDesc synod_pbft_signed_view_change_desc;
extern const SynodTypeDesc synod_pbft_new_view_entry_desc;
extern const SynodTypeDesc synod_pbft_new_view_desc;
extern const SynodTypeDesc synod_pbft_status_desc;
extern const SynodTypeDesc synod_pbft_fetch_batch_desc;
extern const SynodTypeDesc synod_pbft_batch_data_desc;
extern const SynodTypeDesc synod_pbft_client_record_desc;
extern const SynodTypeDesc synod_pbft_checkpoint_state_desc;
extern const SynodTypeDesc synod_pbft_fetch_state_desc;
extern const SynodTypeDesc synod_pbft_state_data_desc;
extern const SynodTypeDesc synod_pbft_message_type_desc;
extern const SynodTypeDesc synod_pbft_body_desc;
extern const SynodTypeDesc synod_pbft_message_desc;
extern const SynodTypeDesc synod_pbft_envelope_desc;
extern const SynodTypeDesc synod_pbft_entry_record_desc;
extern const SynodTypeDesc synod_pbft_view_record_desc;
extern const SynodTypeDesc synod_pbft_checkpoint_record_desc;

#define SYNOD_PBFT_DECLARE_VALUE_FUNCS(Type, prefix)                                            \
  void prefix##_clear (Type *value);                                                            \
  void prefix##_free (Type *value);                                                             \
  void prefix##_copy (const Type *src, Type *dest);                                             \
  G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Type, prefix##_clear)                                       \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (Type, prefix##_free)

SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftAuth, synod_pbft_auth)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftRequest, synod_pbft_request)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftSignedRequest, synod_pbft_signed_request)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftRequestStatement, synod_pbft_request_statement)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftNonDet, synod_pbft_non_det)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftBatch, synod_pbft_batch)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftPrePrepare, synod_pbft_pre_prepare)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftReply, synod_pbft_reply)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftCheckpointProof, synod_pbft_checkpoint_proof)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftViewChange, synod_pbft_view_change)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftSignedViewChange, synod_pbft_signed_view_change)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftNewView, synod_pbft_new_view)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftBatchData, synod_pbft_batch_data)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftClientRecord, synod_pbft_client_record)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftCheckpointState, synod_pbft_checkpoint_state)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftStateData, synod_pbft_state_data)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftBody, synod_pbft_body)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftMessage, synod_pbft_message)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftEnvelope, synod_pbft_envelope)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftEntryRecord, synod_pbft_entry_record)
SYNOD_PBFT_DECLARE_VALUE_FUNCS (SynodPbftCheckpointRecord, synod_pbft_checkpoint_record)

G_END_DECLS
