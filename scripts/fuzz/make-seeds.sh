#!/usr/bin/env bash
# Makes the fuzz seeds of tests/vectors/fuzz-seeds/ with OpenSSL 3: structures the fuzzer
# mutates that ../shared/vectors does not have — CSRs, CRLs, OCSP requests and responses, PKCS#7
# bundles, PKCS#12 files, encrypted and legacy private keys, and certificates with many
# extensions. Iteration counts are tiny (1–2) so that every fuzz input stays cheap. The
# files are committed; re-run only to change them (keys are random, so the bytes change).
#   bash scripts/fuzz/make-seeds.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$(realpath -m "${1:-tests/vectors/fuzz-seeds}")
mkdir -p "$OUT"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
o() { openssl "$@" 2>"$T/err" || { cat "$T/err" >&2; return 1; }; }

# keys
o genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa.key
o genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
# a CA and an intermediate with the extensions path validation reads
cat >ext.cnf <<'X'
[req]
distinguished_name=req_dn
[req_dn]
[ca]
basicConstraints=critical,CA:TRUE,pathlen:1
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
nameConstraints=critical,permitted;DNS:.example.com,excluded;IP:10.0.0.0/255.0.0.0
certificatePolicies=1.2.3.4,2.5.29.32.0
policyConstraints=critical,requireExplicitPolicy:0
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth,1.3.6.1.5.5.8.2.2
subjectAltName=DNS:a.example.com,IP:192.0.2.7,IP:2001:db8::1,email:x@example.com,URI:http://example.com/x,dirName:dn
crlDistributionPoints=URI:http://example.com/ca.crl
authorityInfoAccess=OCSP;URI:http://ocsp.example.com/,caIssuers;URI:http://example.com/ca.der
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[dn]
CN=dir name
O=Example
X
o req -x509 -new -key rsa.key -subj '/C=US/O=Example/OU=Fuzz/CN=Fuzz Root CA' -days 3650 -sha256 -config ext.cnf -extensions ca -out ca.pem
o req -new -key ec.key -subj '/CN=leaf.example.com/O=Example/serialNumber=C63EBBE9/unstructuredName=kiosk7.example.com' -out leaf.csr
o x509 -req -in leaf.csr -CA ca.pem -CAkey rsa.key -set_serial 0x0102030405060708090a -days 30 -sha256 -extfile ext.cnf -extensions leaf -out leaf.pem
o x509 -in ca.pem -outform DER -out "$OUT/cert-ca-rsa.der"
o x509 -in leaf.pem -outform DER -out "$OUT/cert-leaf-ec.der"
# CSRs: with a challenge password and requested extensions, RSA and EC
cat >req.cnf <<'X'
[req]
distinguished_name=dn
attributes=attrs
req_extensions=ext
prompt=no
[dn]
CN=kiosk7.example.com
OU=Spiral Dept.
O=example.com
[attrs]
challengePassword=fuzz-challenge
unstructuredName=kiosk7.example.com
[ext]
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=1.3.6.1.5.5.8.2.2
subjectAltName=DNS:kiosk7.example.com,IP:192.0.2.66
X
o req -new -key rsa.key -config req.cnf -outform DER -out "$OUT/csr-rsa.der"
o req -new -key ec.key -config req.cnf -outform DER -out "$OUT/csr-ec.der"
# a CRL with entries, reasons and a CRL number
mkdir -p db && : >db/index && echo 1000 >db/crlnumber
printf 'R\t300101000000Z\t250101000000Z,keyCompromise\t0A\tunknown\t/CN=a\nR\t300101000000Z\t250102000000Z,superseded\t0B\tunknown\t/CN=b\nR\t300101000000Z\t250103000000Z\t0C\tunknown\t/CN=c\n' >db/index
cat >ca.cnf <<'X'
[ca]
default_ca=d
[d]
database=db/index
crlnumber=db/crlnumber
default_md=sha256
default_crl_days=30
crl_extensions=crlext
[crlext]
authorityKeyIdentifier=keyid
X
o ca -gencrl -config ca.cnf -cert ca.pem -keyfile rsa.key -out crl.pem
o crl -in crl.pem -outform DER -out "$OUT/crl-rsa.der"
# PKCS#7 certificate bundle (GetCACert-style degenerate SignedData)
o crl2pkcs7 -nocrl -certfile leaf.pem -certfile ca.pem -outform DER -out "$OUT/pkcs7-chain.p7b"
# PKCS#12: OpenSSL 3 default (PBES2/AES, HMAC-SHA-256), legacy 3DES/RC2 + SHA-1 MAC, no MAC
o pkcs12 -export -inkey ec.key -in leaf.pem -certfile ca.pem -passout pass:fuzz -iter 1 -name leaf -out "$OUT/p12-aes.p12"
o pkcs12 -export -legacy -inkey ec.key -in leaf.pem -certfile ca.pem -passout pass:fuzz -iter 1 -out "$OUT/p12-legacy.p12"
o pkcs12 -export -inkey ec.key -in leaf.pem -passout pass:fuzz -iter 1 -nomac -out "$OUT/p12-nomac.p12"
# private keys: encrypted PKCS#8 (PBES2 and PBES1), PKCS#1, SEC1, plain PKCS#8
o pkcs8 -topk8 -in ec.key -v2 aes-256-cbc -v2prf hmacWithSHA256 -iter 1 -passout pass:fuzz -outform DER -out "$OUT/key-pkcs8-pbes2.der"
o pkcs8 -topk8 -in rsa.key -v1 PBE-SHA1-3DES -iter 1 -passout pass:fuzz -outform DER -out "$OUT/key-pkcs8-pbes1.der"
o pkey -in rsa.key -traditional -out "$OUT/key-pkcs1-rsa.pem"
o ec -in ec.key -out "$OUT/key-sec1-ec.pem"
o pkcs8 -topk8 -nocrypt -in ec.key -outform DER -out "$OUT/key-pkcs8-ec.der"
# OCSP (RFC 6960): a request, and responses signed by the CA for the leaf — good and revoked
o ocsp -issuer ca.pem -cert leaf.pem -reqout "$OUT/ocsp-request.der" -no_nonce
printf 'V\t300101000000Z\t\t0102030405060708090A\tunknown\t/CN=leaf\n' >ocsp-good.idx
printf 'R\t300101000000Z\t250101000000Z,keyCompromise\t0102030405060708090A\tunknown\t/CN=leaf\n' >ocsp-revoked.idx
o ocsp -index ocsp-good.idx -rsigner ca.pem -rkey rsa.key -CA ca.pem -reqin "$OUT/ocsp-request.der" -respout "$OUT/ocsp-response-good.der" -ndays 1
o ocsp -index ocsp-revoked.idx -rsigner ca.pem -rkey rsa.key -CA ca.pem -reqin "$OUT/ocsp-request.der" -respout "$OUT/ocsp-response-revoked.der" -ndays 1
echo "seeds written to $OUT:"
ls "$OUT"
