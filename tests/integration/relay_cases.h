/* The cases of relay_client that are about the RPC itself rather than packets
 * (relay_cases_rpc.c). */
#ifndef TANDEM_RELAY_CASES_H
#define TANDEM_RELAY_CASES_H

void case_badrpc(void);
void case_status(void);
void case_update(void);
void case_policy(void);
void case_reap(void);
void case_scale(int n);
void case_srtp(void);
void case_srtp_bridge(void);
void case_srtp_rekey(void);
void case_fastpath(void);
void case_fastpath_open(void);

#endif
