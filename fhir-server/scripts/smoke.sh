#!/usr/bin/env bash
# Smoke test of a running fhirfort FHIR server (read-write: creates a Patient and an Observation).
# Usage: scripts/smoke.sh <base-url e.g. https://localhost:8443> <ca-cert.pem>
# Prints one line per check and "N passed, M failed" last; exits non-zero on any failure.
set -uo pipefail
BASE="${1:?base url, e.g. https://localhost:8443}"
CA="${2:?CA certificate that signed the server certificate}"
F="$BASE/fhir"
C=(curl -sS --max-time 30 --cacert "$CA")
pass=0; fail=0
ok() { echo "PASS $*"; pass=$((pass+1)); }
ko() { echo "FAIL $*"; fail=$((fail+1)); }
check() { local name="$1"; shift; if "$@"; then ok "$name"; else ko "$name"; fi; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
jget() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# metadata + headers
code=$("${C[@]}" -D "$tmp/h" -o "$tmp/meta.json" -w '%{http_code}' "$F/metadata")
check "GET /fhir/metadata is 200" test "$code" = 200
check "metadata is a CapabilityStatement" test "$(jget "$tmp/meta.json" "d['resourceType']")" = CapabilityStatement
check "no X-Powered-By header" bash -c "! grep -qi '^x-powered-by' '$tmp/h'"
check "no Server header" bash -c "! grep -qi '^server:' '$tmp/h'"
check "metadata names no HAPI version" bash -c "! grep -qi 'hapi' '$tmp/meta.json'"
check "no \$expunge in CapabilityStatement" bash -c "! grep -q 'expunge' '$tmp/meta.json'"

# health
code=$("${C[@]}" -o "$tmp/health" -w '%{http_code}' "$BASE/actuator/health")
check "GET /actuator/health is 200 UP" bash -c "test $code = 200 && grep -q UP '$tmp/health'"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$BASE/actuator/env")
check "/actuator/env not exposed ($code)" bash -c "test $code = 404 -o $code = 403"

# create / read / update / search
code=$("${C[@]}" -o "$tmp/p.json" -w '%{http_code}' -H 'Content-Type: application/fhir+json' -X POST "$F/Patient" \
  -d '{"resourceType":"Patient","name":[{"family":"O'"'"'Brien","given":["Siobhan"]}],"gender":"female","birthDate":"1980-02-03"}')
check "create Patient 201" test "$code" = 201
pid=$(jget "$tmp/p.json" "d['id']")
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$F/Patient/$pid")
check "read Patient 200" test "$code" = 200
code=$("${C[@]}" -o "$tmp/p2.json" -w '%{http_code}' -H 'Content-Type: application/fhir+json' -H 'If-Match: W/"1"' -X PUT "$F/Patient/$pid" \
  -d '{"resourceType":"Patient","id":"'"$pid"'","name":[{"family":"O'"'"'Brien","given":["Siobhan","M"]}],"gender":"female","birthDate":"1980-02-03"}')
check "update Patient 200 (version 2)" bash -c "test $code = 200 && test \"\$(python3 -c \"import json;print(json.load(open('$tmp/p2.json'))['meta']['versionId'])\")\" = 2"
code=$("${C[@]}" -o "$tmp/o.json" -w '%{http_code}' -H 'Content-Type: application/fhir+json' -X POST "$F/Observation" \
  -d '{"resourceType":"Observation","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/'"$pid"'"},"valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}')
check "create Observation 201" test "$code" = 201
oid=$(jget "$tmp/o.json" "d['id']")
code=$("${C[@]}" -o "$tmp/s.json" -w '%{http_code}' "$F/Patient?name=O'Brien&_id=$pid")
check "search Patient?name=O'Brien finds it" bash -c "test $code = 200 && grep -q '$pid' '$tmp/s.json'"
code=$("${C[@]}" -o "$tmp/s.json" -w '%{http_code}' "$F/Observation?subject=Patient/$pid&code=http://loinc.org|8867-4")
check "search Observation by subject and code|system" bash -c "test $code = 200 && grep -q '$oid' '$tmp/s.json'"
code=$("${C[@]}" -o "$tmp/s.json" -w '%{http_code}' "$F/Observation?_id=$oid&_include=Observation:subject")
check "_include Observation:subject" bash -c "test $code = 200 && grep -q '\"Patient\"' '$tmp/s.json'"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Accept: application/fhir+xml' "$F/Patient/$pid")
check "XML read 200" test "$code" = 200

# refusals
code=$("${C[@]}" -o "$tmp/e.json" -w '%{http_code}' -X POST -H 'Content-Type: application/fhir+json' "$F/\$expunge" \
  -d '{"resourceType":"Parameters","parameter":[{"name":"expungeEverything","valueBoolean":true}]}')
check "\$expunge refused ($code)" bash -c "test $code -ge 400 -a $code -lt 500"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/fhir+json' "$F/Patient/$pid/\$expunge" -d '{"resourceType":"Parameters"}')
check "instance \$expunge refused ($code)" bash -c "test $code -ge 400 -a $code -lt 500"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$F/Patient/$pid?_format=ttl")
check "RDF (_format=ttl) refused ($code)" test "$code" = 406
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/fhir+json' -X POST "$F/Observation" \
  -d '{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"https://evil.example/fhir/Patient/1"}}')
check "absolute (external) reference refused ($code)" bash -c "test $code -ge 400 -a $code -lt 500"
head -c 11000000 /dev/zero | tr '\0' 'a' > "$tmp/big"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/fhir+json' -X POST --data-binary @"$tmp/big" "$F/Patient")
check "11 MB body refused 413 ($code)" test "$code" = 413
code=$("${C[@]}" -o /dev/null -w '%{http_code}' -H 'Content-Type: application/fhir+json' -H 'Transfer-Encoding: chunked' -X POST --data-binary @"$tmp/big" "$F/Patient")
check "11 MB chunked body refused 413 ($code)" test "$code" = 413
code=$("${C[@]}" -o "$tmp/err.json" -w '%{http_code}' -H 'Content-Type: application/fhir+json' -X POST "$F/Patient" -d '{"resourceType":"Patient",')
check "malformed JSON 400 without stack trace ($code)" bash -c "test $code = 400 && ! grep -q 'at ca.uhn\|\\.java:' '$tmp/err.json'"
code=$("${C[@]}" -o /dev/null -w '%{http_code}' "$F/Patient?_count=100000")
check "_count above max still answers ($code)" test "$code" = 200
n=$("${C[@]}" "$F/Patient?_count=100000" | python3 -c "import json,sys; print(len(json.load(sys.stdin).get('entry',[])))")
check "page bounded (<=200 entries: $n)" test "$n" -le 200
hostport=${BASE#https://}
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "http://$hostport/fhir/metadata" 2>/dev/null); code=${code:-000}
check "plain HTTP refused ($code)" bash -c "test $code != 200"
if openssl s_client -help 2>&1 | grep -q -- -tls1_1; then
  check "TLS 1.1 refused" bash -c "! echo | openssl s_client -connect '$hostport' -tls1_1 >/dev/null 2>&1"
fi
check "TLS 1.2 accepted" bash -c "echo | openssl s_client -connect '$hostport' -tls1_2 -CAfile '$CA' 2>/dev/null | grep -q 'Verify return code: 0'"
check "TLS 1.3 accepted" bash -c "echo | openssl s_client -connect '$hostport' -tls1_3 -CAfile '$CA' 2>/dev/null | grep -q 'Verify return code: 0'"
check "non-AEAD cipher refused" bash -c "! echo | openssl s_client -connect '$hostport' -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:AES128-SHA' >/dev/null 2>&1"
echo "$pass passed, $fail failed"
test "$fail" = 0
