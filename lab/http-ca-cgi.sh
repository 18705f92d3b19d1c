#!/usr/bin/env bash
# The lab HTTP CA's enrollment CGI (run by fcgiwrap behind nginx, see lab/http-ca.sh): answers the
# request of the IOS guide's "Configuring Direct HTTP Enrollment Example" as written —
#
#   POST /cda-cgi/clientcgi.exe   application/x-www-form-urlencoded
#     reference_number=5001&authcode=aaaa-bbbb-cccc&retrievedAs=rawDER&action=getServerCert
#     &pkcs10Request=<base64 PKCS#10>
#
# and issues the certificate with a real `openssl ca`. retrievedAs: rawDER (application/pkix-cert),
# PEM, base64 (bare base64 of the DER) or PKCS7 (a certs-only SignedData with the CA, DER).
# A wrong authcode or an unknown reference number gets 403 with an HTML page; malformed input 400,
# a GET 405, an `openssl ca` failure 500 — always an HTML page saying why.
#
# Re-enrollment (`enrollment credential`): pkcs10Request may instead be a CMS SignedData over the
# PKCS#10. It is checked with `openssl cms -verify` against the CAs in $TRUST (this CA and the
# lab's SCEP CA, the "third-party vendor CA" of the guide); a request so signed is granted
# without an authcode. Every decision is logged to logs/cgi.log; CMS requests are kept in
# requests/ for inspection.
set -u
umask 022
HOME_DIR=${HTTP_CA_HOME:?HTTP_CA_HOME is not set}
# AUTHCODE, REFERENCE, DAYS, TRUST (written by http-ca.sh start)
# shellcheck disable=SC1091
. "$HOME_DIR/cgi.env"
LOG=$HOME_DIR/logs/cgi.log
mkdir -p "$HOME_DIR/tmp" "$HOME_DIR/requests"
TMP=$(mktemp -d "$HOME_DIR/tmp/req.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

log() { printf '%s %s\n' "$(date -u +%FT%TZ)" "$*" >>"$LOG"; }

html_escape() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'; }

# page "403 Forbidden" "title" "message": an HTML error page, then exit.
page() {
  local status=$1 title msg
  title=$(printf '%s' "$2" | html_escape)
  msg=$(printf '%s' "$3" | html_escape)
  printf 'Status: %s\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n\r\n' "$status"
  printf '<!DOCTYPE html>\n<html>\n<head><title>%s</title></head>\n<body>\n<h1>%s</h1>\n<p>%s</p>\n<hr><address>Peer Lab HTTP CA</address>\n</body>\n</html>\n' "$title" "$title" "$msg"
  log "status=${status%% *} ref=${F_reference_number:-} ${2}: ${3}"
  exit 0
}

urldecode() { local s=${1//+/ }; printf '%b' "${s//%/\\x}"; }

[ "${REQUEST_METHOD:-}" = POST ] || page "405 Method Not Allowed" "405 Method Not Allowed" "Enrollment requests are POSTed (application/x-www-form-urlencoded)."
len=${CONTENT_LENGTH:-0}
[[ $len =~ ^[0-9]+$ ]] && ((len > 0 && len <= 262144)) || page "400 Bad Request" "400 Bad Request" "The request has no body (or one larger than 256 KiB)."
case ${CONTENT_TYPE:-} in application/x-www-form-urlencoded*) ;; *) page "400 Bad Request" "400 Bad Request" "Expected a form (application/x-www-form-urlencoded), got '${CONTENT_TYPE:-none}'." ;; esac
body=$(head -c "$len")
# A form body is made of these characters only (everything else arrives percent-encoded).
[[ $body =~ ^[A-Za-z0-9%+=\&._~*-]*$ ]] || page "400 Bad Request" "400 Bad Request" "The form body contains characters that must be percent-encoded."

F_action='' F_reference_number='' F_authcode='' F_retrievedAs='' F_pkcs10Request=''
IFS='&' read -ra pairs <<<"$body"
for p in "${pairs[@]}"; do
  k=$(urldecode "${p%%=*}")
  v=''
  [ "$p" = "${p#*=}" ] || v=$(urldecode "${p#*=}")
  case $k in
  action | reference_number | authcode | retrievedAs | pkcs10Request) printf -v "F_$k" '%s' "$v" ;;
  esac
done

[ "$F_action" = getServerCert ] || page "400 Bad Request" "400 Bad Request" "Unknown action '${F_action}' (expected getServerCert)."
retrieved=${F_retrievedAs:-rawDER}
case $retrieved in rawDER | PEM | PKCS7 | base64) ;; *) page "400 Bad Request" "400 Bad Request" "retrievedAs must be rawDER, PEM, PKCS7 or base64, not '${retrieved}'." ;; esac
req=${F_pkcs10Request//[$'\r\n\t ']/}
[ -n "$req" ] || page "400 Bad Request" "400 Bad Request" "pkcs10Request is missing."
[[ $req =~ ^[A-Za-z0-9+/]+={0,2}$ ]] || page "400 Bad Request" "400 Bad Request" "pkcs10Request is not base64 (was it percent-encoded? '+' must be sent as %2B)."
printf '%s' "$req" | base64 -d >"$TMP/req.bin" 2>/dev/null || page "400 Bad Request" "400 Bad Request" "pkcs10Request does not decode as base64."

credential=''
if openssl req -inform DER -in "$TMP/req.bin" -noout 2>/dev/null; then
  cp "$TMP/req.bin" "$TMP/csr.der"
  kind=pkcs10
elif openssl cms -cmsout -inform DER -in "$TMP/req.bin" -noout 2>/dev/null; then
  kind=cms
  keep=$HOME_DIR/requests/$(date -u +%Y%m%dT%H%M%SZ)-$$.p7
  cp "$TMP/req.bin" "$keep"
  if ! openssl cms -verify -inform DER -in "$TMP/req.bin" -CAfile "$TRUST" -purpose any -binary \
    -signer "$TMP/signer.pem" -out "$TMP/csr.der" 2>"$TMP/cms.err"; then
    page "403 Forbidden" "403 Forbidden" "The credential signature does not verify (openssl cms -verify: $(grep -m1 -v '^\s*$' "$TMP/cms.err" | tr -d '\r' | cut -c1-200))."
  fi
  # who signed: subject (may be empty), serial and issuer of the signer certificate
  credential="subject=$(openssl x509 -in "$TMP/signer.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//');serial=$(openssl x509 -in "$TMP/signer.pem" -noout -serial | sed 's/^serial=//');issuer=$(openssl x509 -in "$TMP/signer.pem" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')"
  log "cms-verify=OK signer=\"$credential\" request=$keep"
  openssl req -inform DER -in "$TMP/csr.der" -noout 2>/dev/null || page "400 Bad Request" "400 Bad Request" "The signed content is not a PKCS#10 request."
else
  page "400 Bad Request" "400 Bad Request" "pkcs10Request is neither a PKCS#10 certificate request nor a CMS SignedData."
fi

if [ -z "$credential" ]; then
  [ "$F_reference_number" = "$REFERENCE" ] || page "403 Forbidden" "403 Forbidden" "Unknown reference number '${F_reference_number}'."
  [ "$F_authcode" = "$AUTHCODE" ] || page "403 Forbidden" "403 Forbidden" "Wrong authcode for reference number ${F_reference_number}."
fi

openssl req -inform DER -in "$TMP/csr.der" -verify -noout 2>/dev/null || page "400 Bad Request" "400 Bad Request" "The PKCS#10 request's signature does not verify."
openssl req -inform DER -in "$TMP/csr.der" -out "$TMP/csr.pem"
if ! flock -w 30 "$HOME_DIR/ca/.lock" openssl ca -batch -config "$HOME_DIR/ca/ca.cnf" -preserveDN -notext \
  -days "$DAYS" -in "$TMP/csr.pem" -out "$TMP/cert.pem" >"$TMP/ca.log" 2>&1; then
  page "500 Internal Server Error" "500 Internal Server Error" "openssl ca refused the request: $(grep -m1 -i -E 'error|unable|problem' "$TMP/ca.log" | cut -c1-200)"
fi
serial=$(openssl x509 -in "$TMP/cert.pem" -noout -serial | sed 's/^serial=//')
subject=$(openssl x509 -in "$TMP/cert.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
log "status=200 ref=${F_reference_number} result=issued serial=$serial request=$kind${credential:+ credential=\"$credential\"} retrievedAs=$retrieved subject=\"$subject\""

case $retrieved in
rawDER)
  openssl x509 -in "$TMP/cert.pem" -outform DER -out "$TMP/cert.der"
  printf 'Status: 200 OK\r\nContent-Type: application/pkix-cert\r\nContent-Length: %s\r\n\r\n' "$(stat -c %s "$TMP/cert.der")"
  cat "$TMP/cert.der"
  ;;
PEM)
  printf 'Status: 200 OK\r\nContent-Type: application/x-pem-file\r\n\r\n'
  cat "$TMP/cert.pem"
  ;;
base64)
  printf 'Status: 200 OK\r\nContent-Type: text/plain\r\n\r\n'
  openssl x509 -in "$TMP/cert.pem" -outform DER | base64 -w 64
  ;;
PKCS7)
  openssl crl2pkcs7 -nocrl -certfile "$TMP/cert.pem" -certfile "$HOME_DIR/ca/ca.pem" -outform DER -out "$TMP/chain.p7"
  printf 'Status: 200 OK\r\nContent-Type: application/pkcs7-mime; smime-type=certs-only\r\nContent-Length: %s\r\n\r\n' "$(stat -c %s "$TMP/chain.p7")"
  cat "$TMP/chain.p7"
  ;;
esac
