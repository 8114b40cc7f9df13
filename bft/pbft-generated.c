/* pbft-generated.c — descriptors and value functions of bft/pbft.idl,
 * written by hand as synod-idl generates them (see pbft-generated.h). */
#include "config.h"

#include "pbft-generated.h"

#define FIELD(T, f, d)                                                                         \
  {                                                                                            \
    #f, d, G_STRUCT_OFFSET (T, f)                                                              \
  }
#define STRUCT_DESC(sym, idl_name, T, field_list)                                                  \
  const SynodTypeDesc sym = {                                                                  \
    .kind = SYNOD_TYPE_STRUCT, .name = idl_name, .c_size = sizeof (T),                         \
    .c_align = G_ALIGNOF (T), .fields = field_list, .n_fields = G_N_ELEMENTS (field_list),             \
  }
#define ANON(sym, k, b, elem, ctype)                                                           \
  static const SynodTypeDesc sym = {                                                           \
    .kind = k, .name = NULL, .c_size = sizeof (ctype), .c_align = G_ALIGNOF (ctype),           \
    .bound = b, .element = elem,                                                               \
  }
#define ARM(case_array, arm_name, d)                                                           \
  {                                                                                            \
    case_array, G_N_ELEMENTS (case_array), arm_name, d                                         \
  }

/* ---- typedefs ---- */
const SynodTypeDesc synod_pbft_digest_desc = {
  .kind = SYNOD_TYPE_OPAQUE_FIXED, .name = "Synod.Pbft.Digest", .c_size = sizeof (SynodPbftDigest),
  .c_align = 1, .bound = 32,
};
const SynodTypeDesc synod_pbft_mac_desc = {
  .kind = SYNOD_TYPE_OPAQUE_FIXED, .name = "Synod.Pbft.Mac", .c_size = sizeof (SynodPbftMac),
  .c_align = 1, .bound = 32,
};
const SynodTypeDesc synod_pbft_signature_desc = {
  .kind = SYNOD_TYPE_OPAQUE_FIXED, .name = "Synod.Pbft.Signature",
  .c_size = sizeof (SynodPbftSignature), .c_align = 1, .bound = 64,
};

/* ---- anonymous types ---- */
ANON (anon_macs, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_REPLICAS, &synod_pbft_mac_desc, SynodArray);
ANON (anon_op, SYNOD_TYPE_OPAQUE_VAR, SYNOD_PBFT_MAX_OP_SIZE, NULL, SynodArray);
ANON (anon_result, SYNOD_TYPE_OPAQUE_VAR, SYNOD_PBFT_MAX_RESULT_SIZE, NULL, SynodArray);
ANON (anon_sig_var, SYNOD_TYPE_OPAQUE_VAR, SYNOD_PBFT_SIGNATURE_SIZE, NULL, SynodArray);
ANON (anon_opaque, SYNOD_TYPE_OPAQUE_VAR, SYNOD_TYPE_UNBOUNDED, NULL, SynodArray);
ANON (anon_requests, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_BATCH, &synod_pbft_signed_request_desc,
      SynodArray);
ANON (anon_ckpt_sigs, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_REPLICAS,
      &synod_pbft_checkpoint_signature_desc, SynodArray);
ANON (anon_claims, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_LOG_ENTRIES, &synod_pbft_log_claim_desc,
      SynodArray);
ANON (anon_qset, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_QSET, &synod_pbft_log_claim_desc, SynodArray);
ANON (anon_vcs, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_REPLICAS, &synod_pbft_signed_view_change_desc,
      SynodArray);
ANON (anon_nv_entries, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_LOG_ENTRIES,
      &synod_pbft_new_view_entry_desc, SynodArray);
ANON (anon_clients, SYNOD_TYPE_ARRAY_VAR, SYNOD_PBFT_MAX_CLIENT_RECORDS,
      &synod_pbft_client_record_desc, SynodArray);

/* ---- AuthKind, Auth ---- */
static const SynodEnumValueDesc auth_kind_values[] = {
  { "AUTH_NONE", 0 },
  { "AUTH_MAC", 1 },
  { "AUTH_AUTHENTICATOR", 2 },
  { "AUTH_SIGNATURE", 3 },
};
const SynodTypeDesc synod_pbft_auth_kind_desc = {
  .kind = SYNOD_TYPE_ENUM, .name = "Synod.Pbft.AuthKind", .c_size = sizeof (SynodPbftAuthKind),
  .c_align = G_ALIGNOF (SynodPbftAuthKind), .values = auth_kind_values,
  .n_values = G_N_ELEMENTS (auth_kind_values),
};
static const gint32 auth_case_none[] = { 0 };
static const gint32 auth_case_mac[] = { 1 };
static const gint32 auth_case_authenticator[] = { 2 };
static const gint32 auth_case_signature[] = { 3 };
static const SynodUnionArmDesc auth_arms[] = {
  ARM (auth_case_none, NULL, &synod_type_void),
  ARM (auth_case_mac, "mac", &synod_pbft_mac_desc),
  ARM (auth_case_authenticator, "macs", &anon_macs),
  ARM (auth_case_signature, "signature", &synod_pbft_signature_desc),
};
const SynodTypeDesc synod_pbft_auth_desc = {
  .kind = SYNOD_TYPE_UNION, .name = "Synod.Pbft.Auth", .c_size = sizeof (SynodPbftAuth),
  .c_align = G_ALIGNOF (SynodPbftAuth), .discriminant = &synod_pbft_auth_kind_desc,
  .discriminant_name = "kind", .union_offset = G_STRUCT_OFFSET (SynodPbftAuth, u),
  .arms = auth_arms, .n_arms = G_N_ELEMENTS (auth_arms),
};

/* ---- requests ---- */
static const SynodFieldDesc request_fields[] = {
  FIELD (SynodPbftRequest, client, &synod_type_uhyper),
  FIELD (SynodPbftRequest, number, &synod_type_uhyper),
  FIELD (SynodPbftRequest, origin, &synod_type_uint),
  FIELD (SynodPbftRequest, read_only, &synod_type_bool),
  FIELD (SynodPbftRequest, op, &anon_op),
};
STRUCT_DESC (synod_pbft_request_desc, "Synod.Pbft.Request", SynodPbftRequest, request_fields);

static const SynodFieldDesc signed_request_fields[] = {
  FIELD (SynodPbftSignedRequest, request, &synod_pbft_request_desc),
  FIELD (SynodPbftSignedRequest, auth, &synod_pbft_auth_desc),
};
STRUCT_DESC (synod_pbft_signed_request_desc, "Synod.Pbft.SignedRequest", SynodPbftSignedRequest,
             signed_request_fields);

static const SynodFieldDesc request_statement_fields[] = {
  FIELD (SynodPbftRequestStatement, service, &synod_type_uhyper),
  FIELD (SynodPbftRequestStatement, request, &synod_pbft_request_desc),
};
STRUCT_DESC (synod_pbft_request_statement_desc, "Synod.Pbft.RequestStatement",
             SynodPbftRequestStatement, request_statement_fields);

/* ---- batches ---- */
static const SynodFieldDesc non_det_fields[] = {
  FIELD (SynodPbftNonDet, timestamp, &synod_type_uhyper),
  FIELD (SynodPbftNonDet, proposer_view, &synod_type_uhyper),
  FIELD (SynodPbftNonDet, seed_proof, &anon_sig_var),
};
STRUCT_DESC (synod_pbft_non_det_desc, "Synod.Pbft.NonDet", SynodPbftNonDet, non_det_fields);

static const SynodFieldDesc seed_statement_fields[] = {
  FIELD (SynodPbftSeedStatement, service, &synod_type_uhyper),
  FIELD (SynodPbftSeedStatement, view, &synod_type_uhyper),
  FIELD (SynodPbftSeedStatement, seq, &synod_type_uhyper),
};
STRUCT_DESC (synod_pbft_seed_statement_desc, "Synod.Pbft.SeedStatement", SynodPbftSeedStatement,
             seed_statement_fields);

static const SynodFieldDesc batch_fields[] = {
  FIELD (SynodPbftBatch, nondet, &synod_pbft_non_det_desc),
  FIELD (SynodPbftBatch, requests, &anon_requests),
};
STRUCT_DESC (synod_pbft_batch_desc, "Synod.Pbft.Batch", SynodPbftBatch, batch_fields);

static const SynodFieldDesc pre_prepare_fields[] = {
  FIELD (SynodPbftPrePrepare, view, &synod_type_uhyper),
  FIELD (SynodPbftPrePrepare, seq, &synod_type_uhyper),
  FIELD (SynodPbftPrePrepare, batch, &synod_pbft_batch_desc),
};
STRUCT_DESC (synod_pbft_pre_prepare_desc, "Synod.Pbft.PrePrepare", SynodPbftPrePrepare,
             pre_prepare_fields);

static const SynodFieldDesc vote_fields[] = {
  FIELD (SynodPbftVote, view, &synod_type_uhyper),
  FIELD (SynodPbftVote, seq, &synod_type_uhyper),
  FIELD (SynodPbftVote, digest, &synod_pbft_digest_desc),
};
STRUCT_DESC (synod_pbft_vote_desc, "Synod.Pbft.Vote", SynodPbftVote, vote_fields);

/* ---- replies ---- */
static const SynodFieldDesc reply_fields[] = {
  FIELD (SynodPbftReply, view, &synod_type_uhyper),
  FIELD (SynodPbftReply, client, &synod_type_uhyper),
  FIELD (SynodPbftReply, number, &synod_type_uhyper),
  FIELD (SynodPbftReply, replica, &synod_type_uint),
  FIELD (SynodPbftReply, read_only, &synod_type_bool),
  FIELD (SynodPbftReply, result, &anon_result),
  FIELD (SynodPbftReply, signature, &anon_sig_var),
};
STRUCT_DESC (synod_pbft_reply_desc, "Synod.Pbft.Reply", SynodPbftReply, reply_fields);

static const SynodFieldDesc reply_statement_fields[] = {
  FIELD (SynodPbftReplyStatement, service, &synod_type_uhyper),
  FIELD (SynodPbftReplyStatement, replica, &synod_type_uint),
  FIELD (SynodPbftReplyStatement, client, &synod_type_uhyper),
  FIELD (SynodPbftReplyStatement, number, &synod_type_uhyper),
  FIELD (SynodPbftReplyStatement, read_only, &synod_type_bool),
  FIELD (SynodPbftReplyStatement, result_digest, &synod_pbft_digest_desc),
};
STRUCT_DESC (synod_pbft_reply_statement_desc, "Synod.Pbft.ReplyStatement", SynodPbftReplyStatement,
             reply_statement_fields);

/* ---- checkpoints ---- */
static const SynodFieldDesc checkpoint_fields[] = {
  FIELD (SynodPbftCheckpoint, seq, &synod_type_uhyper),
  FIELD (SynodPbftCheckpoint, digest, &synod_pbft_digest_desc),
};
STRUCT_DESC (synod_pbft_checkpoint_desc, "Synod.Pbft.Checkpoint", SynodPbftCheckpoint,
             checkpoint_fields);

static const SynodFieldDesc checkpoint_signature_fields[] = {
  FIELD (SynodPbftCheckpointSignature, replica, &synod_type_uint),
  FIELD (SynodPbftCheckpointSignature, signature, &synod_pbft_signature_desc),
};
STRUCT_DESC (synod_pbft_checkpoint_signature_desc, "Synod.Pbft.CheckpointSignature",
             SynodPbftCheckpointSignature, checkpoint_signature_fields);

static const SynodFieldDesc checkpoint_proof_fields[] = {
  FIELD (SynodPbftCheckpointProof, seq, &synod_type_uhyper),
  FIELD (SynodPbftCheckpointProof, digest, &synod_pbft_digest_desc),
  FIELD (SynodPbftCheckpointProof, signatures, &anon_ckpt_sigs),
};
STRUCT_DESC (synod_pbft_checkpoint_proof_desc, "Synod.Pbft.CheckpointProof",
             SynodPbftCheckpointProof, checkpoint_proof_fields);

/* ---- view changes ---- */
static const SynodFieldDesc log_claim_fields[] = {
  FIELD (SynodPbftLogClaim, seq, &synod_type_uhyper),
  FIELD (SynodPbftLogClaim, digest, &synod_pbft_digest_desc),
  FIELD (SynodPbftLogClaim, view, &synod_type_uhyper),
};
STRUCT_DESC (synod_pbft_log_claim_desc, "Synod.Pbft.LogClaim", SynodPbftLogClaim, log_claim_fields);

static const SynodFieldDesc view_change_fields[] = {
  FIELD (SynodPbftViewChange, view, &synod_type_uhyper),
  FIELD (SynodPbftViewChange, stable, &synod_pbft_checkpoint_proof_desc),
  FIELD (SynodPbftViewChange, prepared, &anon_claims),
  FIELD (SynodPbftViewChange, preprepared, &anon_claims),
};
STRUCT_DESC (synod_pbft_view_change_desc, "Synod.Pbft.ViewChange", SynodPbftViewChange,
             view_change_fields);

static const SynodFieldDesc signed_view_change_fields[] = {
  FIELD (SynodPbftSignedViewChange, replica, &synod_type_uint),
  FIELD (SynodPbftSignedViewChange, view_change, &synod_pbft_view_change_desc),
  FIELD (SynodPbftSignedViewChange, signature, &synod_pbft_signature_desc),
};
STRUCT_DESC (synod_pbft_signed_view_change_desc, "Synod.Pbft.SignedViewChange",
             SynodPbftSignedViewChange, signed_view_change_fields);

static const SynodFieldDesc new_view_entry_fields[] = {
  FIELD (SynodPbftNewViewEntry, seq, &synod_type_uhyper),
  FIELD (SynodPbftNewViewEntry, digest, &synod_pbft_digest_desc),
};
STRUCT_DESC (synod_pbft_new_view_entry_desc, "Synod.Pbft.NewViewEntry", SynodPbftNewViewEntry,
             new_view_entry_fields);

static const SynodFieldDesc new_view_fields[] = {
  FIELD (SynodPbftNewView, view, &synod_type_uhyper),
  FIELD (SynodPbftNewView, view_changes, &anon_vcs),
  FIELD (SynodPbftNewView, entries, &anon_nv_entries),
};
STRUCT_DESC (synod_pbft_new_view_desc, "Synod.Pbft.NewView", SynodPbftNewView, new_view_fields);

/* ---- status, fetching ---- */
static const SynodFieldDesc status_fields[] = {
  FIELD (SynodPbftStatus, view, &synod_type_uhyper),
  FIELD (SynodPbftStatus, view_active, &synod_type_bool),
  FIELD (SynodPbftStatus, stable_seq, &synod_type_uhyper),
  FIELD (SynodPbftStatus, last_executed, &synod_type_uhyper),
};
STRUCT_DESC (synod_pbft_status_desc, "Synod.Pbft.Status", SynodPbftStatus, status_fields);

static const SynodFieldDesc fetch_batch_fields[] = {
  FIELD (SynodPbftFetchBatch, seq, &synod_type_uhyper),
  FIELD (SynodPbftFetchBatch, digest, &synod_pbft_digest_desc),
};
STRUCT_DESC (synod_pbft_fetch_batch_desc, "Synod.Pbft.FetchBatch", SynodPbftFetchBatch,
             fetch_batch_fields);

static const SynodFieldDesc batch_data_fields[] = {
  FIELD (SynodPbftBatchData, seq, &synod_type_uhyper),
  FIELD (SynodPbftBatchData, batch, &synod_pbft_batch_desc),
};
STRUCT_DESC (synod_pbft_batch_data_desc, "Synod.Pbft.BatchData", SynodPbftBatchData,
             batch_data_fields);

static const SynodFieldDesc client_record_fields[] = {
  FIELD (SynodPbftClientRecord, client, &synod_type_uhyper),
  FIELD (SynodPbftClientRecord, number, &synod_type_uhyper),
  FIELD (SynodPbftClientRecord, seq, &synod_type_uhyper),
  FIELD (SynodPbftClientRecord, result, &anon_result),
};
STRUCT_DESC (synod_pbft_client_record_desc, "Synod.Pbft.ClientRecord", SynodPbftClientRecord,
             client_record_fields);

static const SynodFieldDesc checkpoint_state_fields[] = {
  FIELD (SynodPbftCheckpointState, seq, &synod_type_uhyper),
  FIELD (SynodPbftCheckpointState, timestamp, &synod_type_uhyper),
  FIELD (SynodPbftCheckpointState, app_digest, &synod_pbft_digest_desc),
  FIELD (SynodPbftCheckpointState, clients, &anon_clients),
};
STRUCT_DESC (synod_pbft_checkpoint_state_desc, "Synod.Pbft.CheckpointState",
             SynodPbftCheckpointState, checkpoint_state_fields);

static const SynodFieldDesc fetch_state_fields[] = {
  FIELD (SynodPbftFetchState, seq, &synod_type_uhyper),
};
STRUCT_DESC (synod_pbft_fetch_state_desc, "Synod.Pbft.FetchState", SynodPbftFetchState,
             fetch_state_fields);

static const SynodFieldDesc state_data_fields[] = {
  FIELD (SynodPbftStateData, proof, &synod_pbft_checkpoint_proof_desc),
  FIELD (SynodPbftStateData, state, &synod_pbft_checkpoint_state_desc),
  FIELD (SynodPbftStateData, app_snapshot, &anon_opaque),
};
STRUCT_DESC (synod_pbft_state_data_desc, "Synod.Pbft.StateData", SynodPbftStateData,
             state_data_fields);

/* ---- messages ---- */
static const SynodEnumValueDesc message_type_values[] = {
  { "MSG_REQUEST", 1 },     { "MSG_PRE_PREPARE", 2 }, { "MSG_PREPARE", 3 },
  { "MSG_COMMIT", 4 },      { "MSG_REPLY", 5 },       { "MSG_CHECKPOINT", 6 },
  { "MSG_VIEW_CHANGE", 7 }, { "MSG_NEW_VIEW", 8 },    { "MSG_STATUS", 9 },
  { "MSG_FETCH_BATCH", 10 }, { "MSG_BATCH", 11 },     { "MSG_FETCH_STATE", 12 },
  { "MSG_STATE", 13 },
};
const SynodTypeDesc synod_pbft_message_type_desc = {
  .kind = SYNOD_TYPE_ENUM, .name = "Synod.Pbft.MessageType",
  .c_size = sizeof (SynodPbftMessageType), .c_align = G_ALIGNOF (SynodPbftMessageType),
  .values = message_type_values, .n_values = G_N_ELEMENTS (message_type_values),
};
static const gint32 body_case_request[] = { 1 };
static const gint32 body_case_pre_prepare[] = { 2 };
static const gint32 body_case_vote[] = { 3, 4 };
static const gint32 body_case_reply[] = { 5 };
static const gint32 body_case_checkpoint[] = { 6 };
static const gint32 body_case_view_change[] = { 7 };
static const gint32 body_case_new_view[] = { 8 };
static const gint32 body_case_status[] = { 9 };
static const gint32 body_case_fetch_batch[] = { 10 };
static const gint32 body_case_batch[] = { 11 };
static const gint32 body_case_fetch_state[] = { 12 };
static const gint32 body_case_state[] = { 13 };
static const SynodUnionArmDesc body_arms[] = {
  ARM (body_case_request, "request", &synod_pbft_signed_request_desc),
  ARM (body_case_pre_prepare, "pre_prepare", &synod_pbft_pre_prepare_desc),
  ARM (body_case_vote, "vote", &synod_pbft_vote_desc),
  ARM (body_case_reply, "reply", &synod_pbft_reply_desc),
  ARM (body_case_checkpoint, "checkpoint", &synod_pbft_checkpoint_desc),
  ARM (body_case_view_change, "view_change", &synod_pbft_view_change_desc),
  ARM (body_case_new_view, "new_view", &synod_pbft_new_view_desc),
  ARM (body_case_status, "status", &synod_pbft_status_desc),
  ARM (body_case_fetch_batch, "fetch_batch", &synod_pbft_fetch_batch_desc),
  ARM (body_case_batch, "batch", &synod_pbft_batch_data_desc),
  ARM (body_case_fetch_state, "fetch_state", &synod_pbft_fetch_state_desc),
  ARM (body_case_state, "state", &synod_pbft_state_data_desc),
};
const SynodTypeDesc synod_pbft_body_desc = {
  .kind = SYNOD_TYPE_UNION, .name = "Synod.Pbft.Body", .c_size = sizeof (SynodPbftBody),
  .c_align = G_ALIGNOF (SynodPbftBody), .discriminant = &synod_pbft_message_type_desc,
  .discriminant_name = "type", .union_offset = G_STRUCT_OFFSET (SynodPbftBody, u),
  .arms = body_arms, .n_arms = G_N_ELEMENTS (body_arms),
};

static const SynodFieldDesc message_fields[] = {
  FIELD (SynodPbftMessage, service, &synod_type_uhyper),
  FIELD (SynodPbftMessage, sender, &synod_type_uint),
  FIELD (SynodPbftMessage, body, &synod_pbft_body_desc),
};
STRUCT_DESC (synod_pbft_message_desc, "Synod.Pbft.Message", SynodPbftMessage, message_fields);

static const SynodFieldDesc envelope_fields[] = {
  FIELD (SynodPbftEnvelope, message, &synod_pbft_message_desc),
  FIELD (SynodPbftEnvelope, auth, &synod_pbft_auth_desc),
};
STRUCT_DESC (synod_pbft_envelope_desc, "Synod.Pbft.Envelope", SynodPbftEnvelope, envelope_fields);

/* ---- store records ---- */
static const SynodFieldDesc entry_record_fields[] = {
  FIELD (SynodPbftEntryRecord, seq, &synod_type_uhyper),
  FIELD (SynodPbftEntryRecord, has_pre_prepare, &synod_type_bool),
  FIELD (SynodPbftEntryRecord, pre_prepare_view, &synod_type_uhyper),
  FIELD (SynodPbftEntryRecord, pre_prepare_digest, &synod_pbft_digest_desc),
  FIELD (SynodPbftEntryRecord, has_prepared, &synod_type_bool),
  FIELD (SynodPbftEntryRecord, prepared, &synod_pbft_log_claim_desc),
  FIELD (SynodPbftEntryRecord, preprepared, &anon_qset),
  FIELD (SynodPbftEntryRecord, committed, &synod_type_bool),
};
STRUCT_DESC (synod_pbft_entry_record_desc, "Synod.Pbft.EntryRecord", SynodPbftEntryRecord,
             entry_record_fields);

static const SynodFieldDesc view_record_fields[] = {
  FIELD (SynodPbftViewRecord, view, &synod_type_uhyper),
  FIELD (SynodPbftViewRecord, active, &synod_type_bool),
};
STRUCT_DESC (synod_pbft_view_record_desc, "Synod.Pbft.ViewRecord", SynodPbftViewRecord,
             view_record_fields);

static const SynodFieldDesc checkpoint_record_fields[] = {
  FIELD (SynodPbftCheckpointRecord, state, &synod_pbft_checkpoint_state_desc),
  FIELD (SynodPbftCheckpointRecord, app_snapshot, &anon_opaque),
};
STRUCT_DESC (synod_pbft_checkpoint_record_desc, "Synod.Pbft.CheckpointRecord",
             SynodPbftCheckpointRecord, checkpoint_record_fields);

/* ---- value functions ---- */
#define VALUE_FUNCS(Type, prefix, desc)                                                        \
  void prefix##_clear (Type *value) { synod_value_clear (&desc, value); }                      \
  void prefix##_free (Type *value) { synod_value_free (&desc, value); }                        \
  void prefix##_copy (const Type *src, Type *dest) { synod_value_copy (&desc, src, dest); }

VALUE_FUNCS (SynodPbftAuth, synod_pbft_auth, synod_pbft_auth_desc)
VALUE_FUNCS (SynodPbftRequest, synod_pbft_request, synod_pbft_request_desc)
VALUE_FUNCS (SynodPbftSignedRequest, synod_pbft_signed_request, synod_pbft_signed_request_desc)
VALUE_FUNCS (SynodPbftRequestStatement, synod_pbft_request_statement,
             synod_pbft_request_statement_desc)
VALUE_FUNCS (SynodPbftNonDet, synod_pbft_non_det, synod_pbft_non_det_desc)
VALUE_FUNCS (SynodPbftBatch, synod_pbft_batch, synod_pbft_batch_desc)
VALUE_FUNCS (SynodPbftPrePrepare, synod_pbft_pre_prepare, synod_pbft_pre_prepare_desc)
VALUE_FUNCS (SynodPbftReply, synod_pbft_reply, synod_pbft_reply_desc)
VALUE_FUNCS (SynodPbftCheckpointProof, synod_pbft_checkpoint_proof,
             synod_pbft_checkpoint_proof_desc)
VALUE_FUNCS (SynodPbftViewChange, synod_pbft_view_change, synod_pbft_view_change_desc)
VALUE_FUNCS (SynodPbftSignedViewChange, synod_pbft_signed_view_change,
             synod_pbft_signed_view_change_desc)
VALUE_FUNCS (SynodPbftNewView, synod_pbft_new_view, synod_pbft_new_view_desc)
VALUE_FUNCS (SynodPbftBatchData, synod_pbft_batch_data, synod_pbft_batch_data_desc)
VALUE_FUNCS (SynodPbftClientRecord, synod_pbft_client_record, synod_pbft_client_record_desc)
VALUE_FUNCS (SynodPbftCheckpointState, synod_pbft_checkpoint_state,
             synod_pbft_checkpoint_state_desc)
VALUE_FUNCS (SynodPbftStateData, synod_pbft_state_data, synod_pbft_state_data_desc)
VALUE_FUNCS (SynodPbftBody, synod_pbft_body, synod_pbft_body_desc)
VALUE_FUNCS (SynodPbftMessage, synod_pbft_message, synod_pbft_message_desc)
VALUE_FUNCS (SynodPbftEnvelope, synod_pbft_envelope, synod_pbft_envelope_desc)
VALUE_FUNCS (SynodPbftEntryRecord, synod_pbft_entry_record, synod_pbft_entry_record_desc)
VALUE_FUNCS (SynodPbftCheckpointRecord, synod_pbft_checkpoint_record,
             synod_pbft_checkpoint_record_desc)
