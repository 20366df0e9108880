/* SPDX-License-Identifier: MIT */
/* The attestation parsers over hand-built structures (one of each, commented byte by byte), over a
 * real RSA and a real ECC quote from swtpm, every prefix of each (truncated at every field), and a
 * table of edits to the hand-built ones with the exact code and message each must give; and the
 * signature check and AK name of attest.h over the real ones (swtpm as the oracle of both). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "attest.h"
#include "hexb64.h"
#include "macro.h"
#include "tpm2attest.h"

/* The real ones came from swtpm 0.7.1 (Debian 12, state in a fresh directory) and tpm2-tools 5.4:
 *   swtpm socket --tpm2 --tpmstate dir=$PWD/st --server type=tcp,port=2321 \
 *       --ctrl type=tcp,port=2322 --flags not-need-init,startup-clear --daemon
 *   export TPM2TOOLS_TCTI=swtpm:host=localhost,port=2321
 *   tpm2_createek -c ek.ctx -G rsa -u ek.pub
 *   tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -n ak.name
 *   tpm2_flushcontext -t
 *   tpm2_quote -c ak.ctx -l sha256:0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 \
 *       -q 0123456789abcdeffedcba9876543210 -m quote.msg -s quote.sig -o quote.pcrs -g sha256
 * and for ECC: tpm2_createak ... -G ecc -g sha256 -s ecdsa -u akecc.pub, then tpm2_quote -c akecc.ctx
 * -l sha1:0,7+sha256:7 -q 00112233 -m qecc.msg -s qecc.sig -g sha256. Public data: no secret. */
static const char real_quote[] =
	"ff54434780180022000bbe70a1e95514f508a30025aaba74e0e79b4e0624d9ed36a06f546a321ad6"
	"6b6a00100123456789abcdeffedcba987654321000000000000017f2000000010000000001201910"
	"230016363600000001000b03ffff000020076a27c79e5ace2a3d47f9dd2e83e4ff6ea8872b3c2218"
	"f66c92b89b55f36560";
static const char real_sig[] =
	"0014000b0100143f6403d2535eb93070b97f9b3e243317fc3595342d95ce25120f5247ff06aa8ee7"
	"a6930f79c57c027427e59e0c9381fd1ec4cd50cc8954b9e75a73a03a99f1b4267ff78049efa7f0dd"
	"98517edfd76050060d10da0693d6b399c77568ddd84c7a842452a5ca4f5adbadb3021dd0ab00fe14"
	"b82a09ca22548a209d3fb502d1b1d0dc1e5693a04ab6bb991cded7bea65d2e27c4628dcb504af62c"
	"feda40ae028595ea06658f719ec189ad2d9b373bb422a1e1d9a749ca372c9bd4c446fe90f16e3e59"
	"bcbfa2acb954bc7eb0760f0abf36015929ac78b4702a4dc1aeb026399fc6e64b5bc8a47319ce1c5e"
	"ab5c73e753fb35b63f4ec196876abc5e1d78008928c7";
static const char real_ak[] =
	"01180001000b00050072000000100014000b0800000000000100bf01b7dca6fb0912199eb503f252"
	"7ea831fdcb1f89e215c7ad1288078695a2bd2979595821c74fd0b002d88ab0d3c5b39f9b9502f3a5"
	"f259142f248e6d097bf74766c1ed80b7d72bc0f7aedd0bcaa7dd80d03f12e120a7567adf975241f3"
	"543d7a54d09465cfcb7e0954ec549d5a8018ba86249f04a7ceb69aa62c2af3ac89db689ce290d4cf"
	"212922950b04ceabc8a9f5df844c16aa747de26df1982472fc160c646e156e0e22f5ab6bb65a3809"
	"f972ce8f06f523db234900983be420feef7091d296bfdbb8322171b9e39270cf24ff0507121fbd0e"
	"7472f17cfd8d2b910c6638fc701dc38e7c839f8ef0b8c23105490952fd8e5a05d7754371ae30cc72"
	"5c97";
static const char real_ecc_quote[] =
	"ff54434780180022000bfca3ae1a20c0f7dcda28ab9a8dd7121014e4328823a133cc0d592792c75a"
	"117d0004001122330000000000002480000000010000000001201910230016363600000002000403"
	"810000000b038000000020834a709ba2534ebe3ee1397fd4f7bd288b2acc1d20a08d6c862dcd99b6"
	"f04400";
static const char real_ecc_sig[] =
	"0018000b002065340b03a21ecd860168f86fde5e39ac0a4e3f8b14c31cbca001b8f18c1626be0020"
	"7d276672abc3c823085efc0dc220bced917b7c3965faa4b5c52c189fa0f29ca5";
static const char real_ecc_ak[] =
	"00580023000b00050072000000100018000b00030010002093c3d5f46768f99b037c8e44b680fc0c"
	"9e65f397e72a442925c4d676fba77cba002087f4774a51450025953dff2f8c3cb8a22eda59c47bf1"
	"2b06705447b40f3784e9";

/* clang-format off */
/* A quote of sha384 PCRs 0 and 23 (sizeofSelect 4, which is allowed) and sha1 PCR 7. */
static const uint8_t hand_quote[] = {
	0xff, 0x54, 0x43, 0x47,                         /*  0 magic TPM_GENERATED_VALUE */
	0x80, 0x18,                                     /*  4 type TPM_ST_ATTEST_QUOTE */
	0x00, 0x04, 0x00, 0x0b, 0xaa, 0xbb,             /*  6 qualifiedSigner, 4 bytes */
	0x00, 0x03, 0x01, 0x02, 0x03,                   /* 12 extraData, 3 bytes */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, /* 17 clock 256 */
	0x00, 0x00, 0x00, 0x02,                         /* 25 resetCount 2 */
	0x00, 0x00, 0x00, 0x03,                         /* 29 restartCount 3 */
	0x01,                                           /* 33 safe */
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, /* 34 firmwareVersion */
	0x00, 0x00, 0x00, 0x02,                         /* 42 pcrSelect count 2 */
	0x00, 0x0c, 0x04, 0x01, 0x00, 0x80, 0x00,       /* 46 sha384, 4 bytes: PCRs 0 and 23 */
	0x00, 0x04, 0x03, 0x80, 0x00, 0x00,             /* 53 sha1, 3 bytes: PCR 7 */
	0x00, 0x02, 0xde, 0xad,                         /* 59 pcrDigest, 2 bytes */
};
static const uint8_t hand_rsa_sig[] = {
	0x00, 0x14, 0x00, 0x0b,                         /*  0 RSASSA, sha256 */
	0x00, 0x04, 0x01, 0x02, 0x03, 0x04,             /*  4 signature, 4 bytes */
};
static const uint8_t hand_ecc_sig[] = {
	0x00, 0x18, 0x00, 0x0c,                         /*  0 ECDSA, sha384 */
	0x00, 0x02, 0xaa, 0xbb,                         /*  4 r, 2 bytes */
	0x00, 0x03, 0xcc, 0xdd, 0xee,                   /*  8 s, 3 bytes */
};
/* A 32-bit RSA key (the parser does not judge sizes) with an AES-128-CFB symmetric part. */
static const uint8_t hand_rsa_pub[] = {
	0x00, 0x20,                                     /*  0 size 32 */
	0x00, 0x01, 0x00, 0x0b,                         /*  2 RSA, nameAlg sha256 */
	0x00, 0x05, 0x00, 0x72,                         /*  6 fixedTPM fixedParent sensitiveDataOrigin
							 *    userWithAuth restricted sign */
	0x00, 0x00,                                     /* 10 authPolicy, empty */
	0x00, 0x06, 0x00, 0x80, 0x00, 0x43,             /* 12 symmetric AES 128 CFB */
	0x00, 0x14, 0x00, 0x0b,                         /* 18 scheme RSASSA sha256 */
	0x00, 0x20,                                     /* 22 keyBits 32 */
	0x00, 0x00, 0x00, 0x00,                         /* 24 exponent 0: 65537 */
	0x00, 0x04, 0xc1, 0xc2, 0xc3, 0xc4,             /* 28 modulus, 4 bytes */
};
/* An ECC key that signs and decrypts, unrestricted: not an AK. */
static const uint8_t hand_ecc_pub[] = {
	0x00, 0x1d,                                     /*  0 size 29 */
	0x00, 0x23, 0x00, 0x04,                         /*  2 ECC, nameAlg sha1 */
	0x00, 0x06, 0x00, 0x72,                         /*  6 fixedTPM fixedParent sensitiveDataOrigin
							 *    userWithAuth decrypt sign */
	0x00, 0x02, 0xab, 0xcd,                         /* 10 authPolicy, 2 bytes */
	0x00, 0x10,                                     /* 14 symmetric NULL */
	0x00, 0x10,                                     /* 16 scheme NULL */
	0x00, 0x03,                                     /* 18 curve NIST P-256 */
	0x00, 0x20, 0x00, 0x0b,                         /* 20 kdf KDF1_SP800_56A sha256 */
	0x00, 0x01, 0x11,                               /* 24 x, 1 byte */
	0x00, 0x02, 0x22, 0x23,                         /* 27 y, 2 bytes */
};
/* clang-format on */

enum kind {
	QUOTE,
	SIG,
	PUB,
};

static int parse(enum kind k, const uint8_t *d, size_t n, struct parse_error *err) {
	struct tpm2_attest a;
	struct tpm2_signature s;
	struct tpm2_public p;
	switch (k) {
	case QUOTE:
		return tpm2_attest_parse_quote(d, n, &a, err);
	case SIG:
		return tpm2_signature_parse(d, n, &s, err);
	default:
		return tpm2_public_parse(d, n, &p, err);
	}
}

static size_t unhex(const char *s, uint8_t *out, size_t size) {
	size_t n = 0;
	assert_int_equal(hex_decode(s, strlen(s), out, size, &n), 0);
	return n;
}

/* Every proper prefix ends inside some field; one byte more is left over. */
static void check_prefixes(enum kind k, const uint8_t *d, size_t n) {
	uint8_t buf[600];
	struct parse_error err = {};
	assert_true(n < sizeof buf);
	assert_int_equal(parse(k, d, n, &err), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(parse(k, d, i, &err), -EBADMSG);
		assert_non_null(strstr(err.msg, "ends inside"));
	}
	memcpy(buf, d, n);
	buf[n] = 0;
	assert_int_equal(parse(k, buf, n + 1, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "1 bytes after the"));
}

static void test_real_rsa(void **state) {
	uint8_t q[200], s[300], k[300], nonce[16], digest[32];
	struct tpm2_attest a;
	struct tpm2_signature sig;
	struct tpm2_public pub;
	struct tpm2_pcr_ref refs[TPM2_PCR_REFS_MAX];
	size_t nq = unhex(real_quote, q, sizeof q), ns = unhex(real_sig, s, sizeof s), nk = unhex(real_ak, k, sizeof k);
	uint32_t bad = 1;
	(void) state;

	assert_int_equal(tpm2_attest_parse_quote(q, nq, &a, NULL), 0);
	assert_int_equal(a.type, TPM2_ST_ATTEST_QUOTE);
	unhex("0123456789abcdeffedcba9876543210", nonce, sizeof nonce);
	assert_int_equal(a.extra_data.size, 16);
	assert_memory_equal(a.extra_data.buf, nonce, 16);
	assert_int_equal(a.qualified_signer.size, 34);
	assert_int_equal(a.clock, 6130);
	assert_int_equal(a.reset_count, 1);
	assert_int_equal(a.restart_count, 0);
	assert_int_equal(a.safe, 1);
	assert_int_equal(a.firmware_version, 0x2019102300163636ULL);
	assert_int_equal(a.n_selections, 1);
	assert_int_equal(a.selections[0].hash, 0x000b);
	assert_int_equal(tpm2_attest_pcrs(&a, PCR_BANK_SHA256), 0xffff);
	assert_int_equal(tpm2_attest_pcrs(&a, PCR_BANK_SHA1), 0);
	unhex("076a27c79e5ace2a3d47f9dd2e83e4ff6ea8872b3c2218f66c92b89b55f36560", digest, sizeof digest);
	assert_int_equal(a.pcr_digest.size, 32);
	assert_memory_equal(a.pcr_digest.buf, digest, 32);
	assert_int_equal(tpm2_attest_pcr_order(&a, refs, ELEMENTSOF(refs)), 16);
	for (unsigned i = 0; i < 16; i++)
		assert_true(refs[i].bank == PCR_BANK_SHA256 && refs[i].pcr == i);
	assert_int_equal(tpm2_attest_pcr_order(&a, refs, 15), -E2BIG);

	assert_int_equal(tpm2_signature_parse(s, ns, &sig, NULL), 0);
	assert_int_equal(sig.sig_alg, TPM2_ALG_RSASSA);
	assert_int_equal(sig.hash_alg, 0x000b);
	assert_int_equal(sig.sig.size, 256);
	assert_int_equal(sig.r.size + sig.s.size, 0);

	assert_int_equal(tpm2_public_parse(k, nk, &pub, NULL), 0);
	assert_int_equal(pub.type, TPM2_ALG_RSA);
	assert_int_equal(pub.name_alg, 0x000b);
	assert_int_equal(pub.attributes, 0x00050072);
	assert_int_equal(tpm2_public_check_ak(&pub, &bad), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(pub.sym_alg, TPM2_ALG_NULL);
	assert_int_equal(pub.scheme, TPM2_ALG_RSASSA);
	assert_int_equal(pub.scheme_hash, 0x000b);
	assert_int_equal(pub.rsa_key_bits, 2048);
	assert_int_equal(pub.rsa_exponent, 65537);
	assert_int_equal(pub.rsa_modulus.size, 256);
	assert_ptr_equal(pub.area.buf, k + 2);
	assert_int_equal(pub.area.size, nk - 2);
	assert_int_equal(pub.auth_policy.size, 0);

	check_prefixes(QUOTE, q, nq);
	check_prefixes(SIG, s, ns);
	check_prefixes(PUB, k, nk);
}

static void test_real_ecc(void **state) {
	uint8_t q[200], s[100], k[100];
	struct tpm2_attest a;
	struct tpm2_signature sig;
	struct tpm2_public pub;
	struct tpm2_pcr_ref refs[TPM2_PCR_REFS_MAX];
	size_t nq = unhex(real_ecc_quote, q, sizeof q), ns = unhex(real_ecc_sig, s, sizeof s),
	       nk = unhex(real_ecc_ak, k, sizeof k);
	(void) state;

	assert_int_equal(tpm2_attest_parse_quote(q, nq, &a, NULL), 0);
	assert_int_equal(a.extra_data.size, 4);
	assert_memory_equal(a.extra_data.buf, "\x00\x11\x22\x33", 4);
	assert_int_equal(a.n_selections, 2);
	assert_int_equal(tpm2_attest_pcrs(&a, PCR_BANK_SHA1), 0x81);
	assert_int_equal(tpm2_attest_pcrs(&a, PCR_BANK_SHA256), 0x80);
	assert_int_equal(tpm2_attest_pcr_order(&a, refs, ELEMENTSOF(refs)), 3);
	assert_true(refs[0].bank == PCR_BANK_SHA1 && refs[0].pcr == 0);
	assert_true(refs[1].bank == PCR_BANK_SHA1 && refs[1].pcr == 7);
	assert_true(refs[2].bank == PCR_BANK_SHA256 && refs[2].pcr == 7);

	assert_int_equal(tpm2_signature_parse(s, ns, &sig, NULL), 0);
	assert_int_equal(sig.sig_alg, TPM2_ALG_ECDSA);
	assert_int_equal(sig.r.size, 32);
	assert_int_equal(sig.s.size, 32);
	assert_int_equal(sig.sig.size, 0);

	assert_int_equal(tpm2_public_parse(k, nk, &pub, NULL), 0);
	assert_int_equal(pub.type, TPM2_ALG_ECC);
	assert_int_equal(tpm2_public_check_ak(&pub, NULL), 0);
	assert_int_equal(pub.scheme, TPM2_ALG_ECDSA);
	assert_int_equal(pub.ecc_curve, 0x0003);
	assert_int_equal(pub.kdf, TPM2_ALG_NULL);
	assert_int_equal(pub.ecc_x.size, 32);
	assert_int_equal(pub.ecc_y.size, 32);

	check_prefixes(QUOTE, q, nq);
	check_prefixes(SIG, s, ns);
	check_prefixes(PUB, k, nk);
}

static void test_hand_built(void **state) {
	struct tpm2_attest a;
	struct tpm2_signature sig;
	struct tpm2_public pub;
	struct tpm2_pcr_ref refs[TPM2_PCR_REFS_MAX];
	uint32_t bad = 0;
	(void) state;

	assert_int_equal(tpm2_attest_parse_quote(hand_quote, sizeof hand_quote, &a, NULL), 0);
	assert_ptr_equal(a.qualified_signer.buf, hand_quote + 8);
	assert_int_equal(a.qualified_signer.size, 4);
	assert_ptr_equal(a.extra_data.buf, hand_quote + 14);
	assert_int_equal(a.clock, 256);
	assert_int_equal(a.reset_count, 2);
	assert_int_equal(a.restart_count, 3);
	assert_int_equal(a.safe, 1);
	assert_int_equal(a.firmware_version, 0x0102030405060708ULL);
	assert_int_equal(tpm2_attest_pcrs(&a, PCR_BANK_SHA384), 0x800001);
	assert_int_equal(tpm2_attest_pcrs(&a, PCR_BANK_SHA1), 0x80);
	assert_int_equal(tpm2_attest_pcrs(&a, PCR_BANK_SHA512), 0);
	/* The quote's order, not pcr.h's: sha384 first. */
	assert_int_equal(tpm2_attest_pcr_order(&a, refs, ELEMENTSOF(refs)), 3);
	assert_true(refs[0].bank == PCR_BANK_SHA384 && refs[0].pcr == 0);
	assert_true(refs[1].bank == PCR_BANK_SHA384 && refs[1].pcr == 23);
	assert_true(refs[2].bank == PCR_BANK_SHA1 && refs[2].pcr == 7);
	assert_ptr_equal(a.pcr_digest.buf, hand_quote + 61);

	assert_int_equal(tpm2_signature_parse(hand_rsa_sig, sizeof hand_rsa_sig, &sig, NULL), 0);
	assert_ptr_equal(sig.sig.buf, hand_rsa_sig + 6);
	assert_int_equal(tpm2_signature_parse(hand_ecc_sig, sizeof hand_ecc_sig, &sig, NULL), 0);
	assert_int_equal(sig.hash_alg, 0x000c);
	assert_ptr_equal(sig.r.buf, hand_ecc_sig + 6);
	assert_ptr_equal(sig.s.buf, hand_ecc_sig + 10);
	assert_int_equal(sig.s.size, 3);

	assert_int_equal(tpm2_public_parse(hand_rsa_pub, sizeof hand_rsa_pub, &pub, NULL), 0);
	assert_int_equal(pub.sym_alg, 0x0006);
	assert_int_equal(pub.sym_key_bits, 128);
	assert_int_equal(pub.sym_mode, 0x0043);
	assert_int_equal(pub.rsa_exponent, 65537);
	assert_ptr_equal(pub.rsa_modulus.buf, hand_rsa_pub + 30);
	assert_int_equal(tpm2_public_check_ak(&pub, NULL), 0);
	assert_int_equal(tpm2_public_parse(hand_ecc_pub, sizeof hand_ecc_pub, &pub, NULL), 0);
	assert_int_equal(pub.name_alg, 0x0004);
	assert_int_equal(pub.auth_policy.size, 2);
	assert_int_equal(pub.kdf, 0x0020);
	assert_int_equal(pub.kdf_hash, 0x000b);
	assert_ptr_equal(pub.ecc_y.buf, hand_ecc_pub + 29);
	assert_int_equal(tpm2_public_check_ak(&pub, &bad), -EPERM);
	assert_int_equal(bad, TPM2_OA_RESTRICTED | TPM2_OA_DECRYPT);

	check_prefixes(QUOTE, hand_quote, sizeof hand_quote);
	check_prefixes(SIG, hand_rsa_sig, sizeof hand_rsa_sig);
	check_prefixes(SIG, hand_ecc_sig, sizeof hand_ecc_sig);
	check_prefixes(PUB, hand_rsa_pub, sizeof hand_rsa_pub);
	check_prefixes(PUB, hand_ecc_pub, sizeof hand_ecc_pub);
}

static void test_ak_attributes(void **state) {
	static const uint32_t each[] = { TPM2_OA_FIXED_TPM, TPM2_OA_FIXED_PARENT, TPM2_OA_RESTRICTED, TPM2_OA_SIGN };
	struct tpm2_public p = { .attributes = TPM2_AK_REQUIRED };
	uint32_t bad = 1;
	(void) state;

	assert_int_equal(tpm2_public_check_ak(&p, &bad), 0);
	assert_int_equal(bad, 0);
	for (size_t i = 0; i < ELEMENTSOF(each); i++) {
		p.attributes = TPM2_AK_REQUIRED & ~each[i];
		assert_int_equal(tpm2_public_check_ak(&p, &bad), -EPERM);
		assert_int_equal(bad, each[i]);
	}
	p.attributes = TPM2_AK_REQUIRED | TPM2_OA_DECRYPT;
	assert_int_equal(tpm2_public_check_ak(&p, &bad), -EPERM);
	assert_int_equal(bad, TPM2_OA_DECRYPT);
}

#define SET(s) s, sizeof(s) - 1

/* clang-format off */
static const struct {
	const char *name;
	enum kind kind;
	const uint8_t *base;
	size_t base_len;
	size_t at;        /* where set's bytes are written */
	const char *set;
	size_t set_len;
	int delta;        /* zero bytes appended (> 0) or bytes cut from the end (< 0) */
	int code;
	const char *msg;  /* a part of err.msg */
} cases[] = {
#define Q QUOTE, hand_quote, sizeof hand_quote
#define RS SIG, hand_rsa_sig, sizeof hand_rsa_sig
#define ES SIG, hand_ecc_sig, sizeof hand_ecc_sig
#define RP PUB, hand_rsa_pub, sizeof hand_rsa_pub
#define EP PUB, hand_ecc_pub, sizeof hand_ecc_pub
	{ "wrong magic",           Q,  0,  SET("\xff\x54\x43\x48"), 0, -EPROTO, "magic 0xff544348, not TPM_GENERATED_VALUE" },
	{ "certify, not a quote",  Q,  4,  SET("\x80\x17"),  0, -ENOMSG,     "type 0x8017, not TPM_ST_ATTEST_QUOTE" },
	{ "signer 67 bytes",       Q,  6,  SET("\x00\x43"),  0, -E2BIG,      "qualifiedSigner is 67 bytes, more than 66" },
	{ "nonce 65 bytes",        Q,  12, SET("\x00\x41"),  0, -E2BIG,      "extraData is 65 bytes, more than 64" },
	{ "nonce 64, cut",         Q,  12, SET("\x00\x40"),  0, -EBADMSG,    "ends inside extraData" },
	{ "17 banks",              Q,  42, SET("\x00\x00\x00\x11"), 0, -E2BIG, "17 PCR selections, more than 16" },
	{ "16 banks, cut",         Q,  42, SET("\x00\x00\x00\x10"), 0, -EOPNOTSUPP, "hash 0x0002 is not sha1" },
	{ "one bank",              Q,  42, SET("\x00\x00\x00\x01"), 0, -EBADMSG, "4 bytes after the TPMS_ATTEST" },
	{ "no bank",               Q,  42, SET("\x00\x00\x00\x00\x00\x00"), -15, 0, "" },
	{ "sm3 bank",              Q,  46, SET("\x00\x12"),  0, -EOPNOTSUPP, "the PCR selection's hash 0x0012 is not sha1" },
	{ "sizeofSelect 5",        Q,  48, SET("\x05"),      0, -E2BIG,      "sizeofSelect 5, more than 4" },
	{ "sizeofSelect 3",        Q,  48, SET("\x03"),      0, -EOPNOTSUPP, "hash 0x0000" },
	{ "PCR 24",                Q,  52, SET("\x01"),      0, -EBADMSG,    "the sha384 selection selects PCRs above 23" },
	{ "PCR 31",                Q,  52, SET("\x80"),      0, -EBADMSG,    "selects PCRs above 23" },
	{ "bank twice",            Q,  53, SET("\x00\x0c"),  0, -EBADMSG,    "the sha384 bank is selected twice" },
	{ "sha512 after sha384",   Q,  53, SET("\x00\x0d"),  0, 0,           "" },
	{ "digest 65 bytes",       Q,  59, SET("\x00\x41"),  0, -E2BIG,      "pcrDigest is 65 bytes, more than 64" },
	{ "digest 64 bytes",       Q,  59, SET("\x00\x40"),  62, 0,          "" },
	{ "trailing bytes",        Q,  0,  SET(""),          2, -EBADMSG,    "2 bytes after the TPMS_ATTEST" },
	{ "HMAC signature",        RS, 0,  SET("\x00\x05"),  0, -EOPNOTSUPP, "sigAlg 0x0005 is not RSASSA" },
	{ "RSAES, not a signature",RS, 0,  SET("\x00\x15"),  0, -EOPNOTSUPP, "sigAlg 0x0015" },
	{ "RSAPSS",                RS, 0,  SET("\x00\x16"),  0, 0,           "" },
	{ "sm3 signature",         RS, 2,  SET("\x00\x12"),  0, -EOPNOTSUPP, "the signature's hash 0x0012" },
	{ "RSA signature 513",     RS, 4,  SET("\x02\x01"),  0, -E2BIG,      "the RSA signature is 513 bytes, more than 512" },
	{ "RSA signature 512",     RS, 4,  SET("\x02\x00"),  508, 0,         "" },
	{ "ECDSA read as RSA",     ES, 0,  SET("\x00\x14"),  0, -EBADMSG,    "5 bytes after the TPMT_SIGNATURE" },
	{ "r 67 bytes",            ES, 4,  SET("\x00\x43"),  0, -E2BIG,      "signatureR is 67 bytes, more than 66" },
	{ "s 67 bytes",            ES, 8,  SET("\x00\x43"),  0, -E2BIG,      "signatureS is 67 bytes, more than 66" },
	{ "trailing signature",    ES, 0,  SET(""),          1, -EBADMSG,    "1 bytes after the TPMT_SIGNATURE" },
	{ "keyedhash key",         RP, 2,  SET("\x00\x08"),  0, -EOPNOTSUPP, "key type 0x0008 is not RSA or ECC" },
	{ "sm3 nameAlg",           RP, 4,  SET("\x00\x12"),  0, -EOPNOTSUPP, "nameAlg 0x0012 is not sha1" },
	{ "policy 65 bytes",       RP, 10, SET("\x00\x41"),  0, -E2BIG,      "authPolicy is 65 bytes, more than 64" },
	{ "symmetric NULL",        RP, 12, SET("\x00\x10"),  0, -EBADMSG,    "a 0-byte modulus for a 20-bit key" },
	{ "scheme NULL",           RP, 18, SET("\x00\x10"),  0, -EBADMSG,    "a 0-byte modulus for a 11-bit key" },
	{ "modulus 513 bytes",     RP, 28, SET("\x02\x01"),  0, -E2BIG,      "unique.rsa is 513 bytes, more than 512" },
	{ "keyBits 40",            RP, 22, SET("\x00\x28"),  0, -EBADMSG,    "a 4-byte modulus for a 40-bit key" },
	{ "size past the end",     RP, 0,  SET("\x00\x21"),  0, -EBADMSG,    "ends inside TPMT_PUBLIC" },
	{ "size short",            RP, 0,  SET("\x00\x1f"),  0, -EBADMSG,    "1 bytes after the TPM2B_PUBLIC" },
	{ "size short, cut",       RP, 0,  SET("\x00\x1f"),  -1, -EBADMSG,   "ends inside unique.rsa" },
	{ "size long, padded",     RP, 0,  SET("\x00\x21"),  1, -EBADMSG,    "1 bytes after the TPMT_PUBLIC, within" },
	{ "ecc x 67 bytes",        EP, 24, SET("\x00\x43"),  0, -E2BIG,      "unique.x is 67 bytes, more than 66" },
	{ "ecc kdf NULL",          EP, 20, SET("\x00\x10"),  0, -EBADMSG,    "ends inside unique.x" },
	{ "trailing public",       EP, 0,  SET(""),          3, -EBADMSG,    "3 bytes after the TPM2B_PUBLIC" },
#undef Q
#undef RS
#undef ES
#undef RP
#undef EP
};
/* clang-format on */

static void test_malformed_table(void **state) {
	unsigned failed = 0;
	(void) state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint8_t buf[1024] = {};
		struct parse_error err = {};
		size_t n = cases[i].base_len;

		memcpy(buf, cases[i].base, n);
		memcpy(buf + cases[i].at, cases[i].set, cases[i].set_len);
		n = (size_t) ((long) n + cases[i].delta);
		int r = parse(cases[i].kind, buf, n, &err);
		if (r != cases[i].code || !strstr(err.msg, cases[i].msg))
			failed++, print_error("%s: got %d \"%s\", want %d \"%s\"\n", cases[i].name, r, err.msg, cases[i].code,
					      cases[i].msg);
	}
	assert_int_equal(failed, 0);
}

/* swtpm signed these: the signature verifies with the AK, and one changed byte of the quote breaks
 * it. (qualifiedSigner is the AK's qualified name, a hash over its parents' names too: not its
 * name.) */
static void check_real_signature(const char *quote, const char *sig, const char *ak) {
	uint8_t q[200], s[300], k[300], name[TPM2_NAME_MAX];
	size_t nq = unhex(quote, q, sizeof q), ns = unhex(sig, s, sizeof s), nk = unhex(ak, k, sizeof k);
	struct tpm2_attest a;
	struct tpm2_signature sg;
	struct tpm2_public pub;
	const char *why = NULL;

	assert_int_equal(tpm2_attest_parse_quote(q, nq, &a, NULL), 0);
	assert_int_equal(tpm2_signature_parse(s, ns, &sg, NULL), 0);
	assert_int_equal(tpm2_public_parse(k, nk, &pub, NULL), 0);
	assert_int_equal(tpm2_public_name(&pub, name), 34);
	assert_int_equal(a.qualified_signer.size, 34);
	assert_memory_not_equal(a.qualified_signer.buf, name, 34);
	assert_int_equal(tpm2_signature_verify(&pub, &sg, q, nq, &why), 1);
	q[nq - 1] ^= 1;
	assert_int_equal(tpm2_signature_verify(&pub, &sg, q, nq, &why), 0);
	assert_string_equal(why, "the signature does not verify with the AK");
}

static void test_real_signatures(void **state) {
	(void) state;
	check_real_signature(real_quote, real_sig, real_ak);
	check_real_signature(real_ecc_quote, real_ecc_sig, real_ecc_ak);
}

int main(void) {
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_rsa),
		cmocka_unit_test(test_real_ecc),
		cmocka_unit_test(test_real_signatures),
		cmocka_unit_test(test_hand_built),
		cmocka_unit_test(test_ak_attributes),
		cmocka_unit_test(test_malformed_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
