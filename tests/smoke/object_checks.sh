# The object-API checks both storage smokes run: against `lakehouse serve`
# (storage_test.sh) and against a split-mode `lakehouse storaged`
# (storaged_test.sh). Sourced after lib.sh; every function talks to
# $SERVER_URL and fails the script on the first broken promise.

MIB=1048576

check_health() {
  case_begin "health"
  http GET /healthz
  assert_status 200 "GET /healthz"
  assert_contains "$HTTP_BODY" '"status":"ok"' "healthz body"
  assert_contains "$HTTP_BODY" '"version":"' "healthz body"
  http GET /v1/no-such-route
  assert_error 404 '*' "unknown route"
}

# Put/get/head/overwrite/delete, the empty object, a multi-MiB random object
# (Content-Length and chunked), Range, missing keys. Leaves bin/big.bin and
# empty behind for check_survivors; sets BIG_SHA and BIG_ETAG.
check_objects() {
  case_begin "put/get/head/delete"
  put_text docs/hello.txt 'hello, lakehouse'
  assert_status 201 "PUT docs/hello.txt"
  assert_eq docs/hello.txt "$(json_str key <<<"$HTTP_BODY")" "PUT answer key"
  assert_eq 16 "$(json_nums size <<<"$HTTP_BODY")" "PUT answer size"
  local etag1 etag2
  etag1=$(json_str etag <<<"$HTTP_BODY")
  [[ -n "$etag1" ]] || fail "PUT answer has no etag: $HTTP_BODY"

  http GET /v1/objects/docs/hello.txt
  assert_status 200 "GET docs/hello.txt"
  assert_eq 'hello, lakehouse' "$HTTP_BODY" "GET body"
  assert_eq 16 "$(header_value Content-Length)" "GET Content-Length"
  assert_eq "\"$etag1\"" "$(header_value ETag)" "GET ETag is the quoted etag of the PUT"

  http HEAD /v1/objects/docs/hello.txt
  assert_status 200 "HEAD docs/hello.txt"
  assert_eq 16 "$(header_value Content-Length)" "HEAD Content-Length"
  assert_eq "\"$etag1\"" "$(header_value ETag)" "HEAD ETag"

  put_text docs/hello.txt 'hello again, lakehouse'
  assert_status 201 "overwrite docs/hello.txt"
  etag2=$(json_str etag <<<"$HTTP_BODY")
  assert_ne "$etag1" "$etag2" "etag after overwrite"
  http GET /v1/objects/docs/hello.txt
  assert_eq 'hello again, lakehouse' "$HTTP_BODY" "GET after overwrite"
  assert_eq "\"$etag2\"" "$(header_value ETag)" "ETag after overwrite"

  # The empty object (a GET of it once hung the server: keep --max-time short).
  put_file empty /dev/null
  assert_status 201 "PUT empty object"
  assert_eq 0 "$(json_nums size <<<"$HTTP_BODY")" "empty object size"
  http HEAD /v1/objects/empty
  assert_status 200 "HEAD empty object"
  assert_eq 0 "$(header_value Content-Length)" "HEAD empty object Content-Length"
  [[ -n "$(header_value ETag)" ]] || fail "HEAD empty object has no ETag"
  get_file empty "$SMOKE_TMP/empty.out" --max-time 5
  assert_status 200 "GET empty object"
  assert_eq 0 "$(stat -c %s "$SMOKE_TMP/empty.out")" "GET empty object size"
  assert_eq 0 "$(header_value Content-Length)" "GET empty object Content-Length"

  # A multi-MiB random binary object, with Content-Length and chunked.
  local big_size=$((6 * MIB + 12345))
  random_file "$SMOKE_TMP/big.bin" "$big_size"
  BIG_SHA=$(sha256_of "$SMOKE_TMP/big.bin")
  put_file bin/big.bin "$SMOKE_TMP/big.bin"
  assert_status 201 "PUT 6 MiB object"
  assert_eq "$big_size" "$(json_nums size <<<"$HTTP_BODY")" "6 MiB object size"
  get_file bin/big.bin "$SMOKE_TMP/big.out"
  assert_status 200 "GET 6 MiB object"
  assert_file_sha "$SMOKE_TMP/big.out" "$BIG_SHA" "6 MiB object round trip"
  http HEAD /v1/objects/bin/big.bin
  assert_eq "$big_size" "$(header_value Content-Length)" "HEAD 6 MiB Content-Length"
  BIG_ETAG=$(header_value ETag)
  [[ -n "$BIG_ETAG" ]] || fail "HEAD 6 MiB object has no ETag"

  http GET /v1/objects/bin/big.bin -H 'Range: bytes=1000-1999' -o "$SMOKE_TMP/range.out"
  assert_status 206 "GET with Range"
  dd if="$SMOKE_TMP/big.bin" of="$SMOKE_TMP/range.want" iflag=skip_bytes,count_bytes \
    skip=1000 count=1000 status=none
  cmp -s "$SMOKE_TMP/range.want" "$SMOKE_TMP/range.out" || fail "Range bytes=1000-1999 returned other bytes"

  random_file "$SMOKE_TMP/chunked.bin" $((3 * MIB + 7))
  put_file bin/chunked.bin "$SMOKE_TMP/chunked.bin" -H 'Transfer-Encoding: chunked'
  assert_status 201 "PUT chunked 3 MiB object"
  assert_eq $((3 * MIB + 7)) "$(json_nums size <<<"$HTTP_BODY")" "chunked object size"
  get_file bin/chunked.bin "$SMOKE_TMP/chunked.out"
  assert_file_sha "$SMOKE_TMP/chunked.out" "$(sha256_of "$SMOKE_TMP/chunked.bin")" "chunked object round trip"

  # Missing keys and delete.
  http GET /v1/objects/no/such/key
  assert_error 404 not_found "GET missing key"
  http HEAD /v1/objects/no/such/key
  assert_status 404 "HEAD missing key"
  http DELETE /v1/objects/no/such/key
  assert_error 404 not_found "DELETE missing key"

  put_text doomed 'short-lived'
  assert_status 201 "PUT doomed"
  http DELETE /v1/objects/doomed
  assert_status 204 "DELETE doomed"
  assert_eq "" "$HTTP_BODY" "DELETE answers no body"
  http GET /v1/objects/doomed
  assert_error 404 not_found "GET after DELETE"
  http HEAD /v1/objects/doomed
  assert_status 404 "HEAD after DELETE"
  http DELETE /v1/objects/doomed
  assert_error 404 not_found "second DELETE"

  # Deleting objects of a "directory" leaves the rest alone.
  put_text tree/a/one 1
  put_text tree/a/two 2
  put_text tree/b 3
  http DELETE /v1/objects/tree/a/one
  assert_status 204 "DELETE tree/a/one"
  http GET /v1/objects/tree/a/two
  assert_eq 2 "$HTTP_BODY" "sibling after delete"
  http DELETE /v1/objects/tree/a/two
  assert_status 204 "DELETE tree/a/two"
  http GET /v1/objects/tree/b
  assert_eq 3 "$HTTP_BODY" "tree/b after deleting everything in tree/a/"
  put_text tree/a/three 3
  assert_status 201 "PUT into a directory emptied by deletes"
}

check_conditional_put() {
  case_begin "conditional put (If-None-Match: *)"
  put_text cond/once first -H 'If-None-Match: *'
  assert_status 201 "first conditional PUT"
  put_text cond/once second -H 'If-None-Match: *'
  assert_error 412 '*' "second conditional PUT"
  http GET /v1/objects/cond/once
  assert_eq first "$HTTP_BODY" "content after the refused conditional PUT"
  random_file "$SMOKE_TMP/cond.bin" $((2 * MIB))
  put_file cond/once "$SMOKE_TMP/cond.bin" -H 'If-None-Match: *'
  assert_error 412 '*' "large conditional PUT on an existing key"
  http GET /v1/objects/cond/once
  assert_eq first "$HTTP_BODY" "content after the refused large conditional PUT"
  put_text cond/once third -H 'If-None-Match: "some-etag"'
  assert_error 400 '*' "If-None-Match with an etag is not supported"
  http GET /v1/objects/cond/once
  assert_eq first "$HTTP_BODY" "content after the refused If-None-Match etag"
  put_text cond/once fourth
  assert_status 201 "unconditional PUT still overwrites"

  # Racing conditional writers: exactly one wins, and the object is its.
  local -a pids=()
  local i pid wins=0 losses=0 winner=""
  for i in 1 2 3 4 5 6 7 8; do
    curl -s -o /dev/null -w '%{http_code}' --max-time "$SMOKE_CURL_TIMEOUT" -X PUT \
      -H 'If-None-Match: *' --data-binary "writer-$i" "$SERVER_URL/v1/objects/cond/race" \
      >"$SMOKE_TMP/race.$i" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || fail "a racing curl failed"; done
  for i in 1 2 3 4 5 6 7 8; do
    case $(cat "$SMOKE_TMP/race.$i") in
    201) wins=$((wins + 1)) winner=$i ;;
    412) losses=$((losses + 1)) ;;
    *) fail "racing conditional PUT $i answered $(cat "$SMOKE_TMP/race.$i")" ;;
    esac
  done
  assert_eq "1 7" "$wins $losses" "wins and losses of 8 racing conditional PUTs"
  http GET /v1/objects/cond/race
  assert_eq "writer-$winner" "$HTTP_BODY" "the object is the winner's"
}

# The whole store as one listing (small stores only).
list_everything() {
  list_objects limit=1000
  assert_status 200 "list the whole store"
  assert_eq null "$(json_next <<<"$HTTP_BODY")" "the whole store fits one page"
}

# Hostile keys: every one is a 400 invalid_key for PUT/GET/DELETE (400 for
# HEAD), nothing appears anywhere under WATCH_DIR outside STORE_DIR (the
# server's object root), and the listing does not change.
check_hostile_keys() { # WATCH_DIR STORE_DIR
  local watch=$1 store=$2
  case_begin "hostile keys"
  snapshot_outside() { find "$watch" -path "$store" -prune -o -print | sort; }
  local before_outside before_list after_outside after_list strays
  before_outside=$(snapshot_outside)
  list_everything
  before_list=$HTTP_BODY
  local tmp_parent etc_x_existed=no parent_escaped_existed=no
  tmp_parent=$(dirname "$SMOKE_TMP")
  [[ -e /etc/x ]] && etc_x_existed=yes
  [[ -e "$tmp_parent/escaped" ]] && parent_escaped_existed=yes
  local slash_tmp_escaped_existed=no
  [[ -e /tmp/escaped ]] && slash_tmp_escaped_existed=yes

  local long_1025
  long_1025=$(printf '%0204d/%0204d/%0204d/%0204d/%0205d' 0 0 0 0 0)
  assert_eq 1025 "${#long_1025}" "length of the long key"
  local -a paths=(
    'a/../../escaped'
    '../../escaped'
    '../../../../../../../../../../tmp/escaped'
    '%2E%2E/escaped'
    '%2e%2e/%2e%2e/escaped'
    'a/%2E%2E/%2E%2E/escaped'
    'a%2F..%2F..%2Fescaped'
    '..%2F..%2Fescaped'
    './a'
    'a/./b'
    'a/.'
    '.'
    '..'
    'a//b'
    'a/'
    'a%2F%2Fb'
    'a%00b'
    '%00'
    '/etc/x'
    '%2Fetc%2Fx'
    ''
    'bad%zzescape'
    'bad%2'
    'not-utf8-%FF'
    'overlong-%C0%AF'
    "$long_1025"
  )
  local path method prefix
  for path in "${paths[@]}"; do
    for method in PUT GET DELETE; do
      if [[ $method == PUT ]]; then
        http PUT "/v1/objects/$path" --data-binary x
      else
        http "$method" "/v1/objects/$path"
      fi
      assert_error 400 invalid_key "$method /v1/objects/$path"
    done
    http HEAD "/v1/objects/$path"
    assert_status 400 "HEAD /v1/objects/$path"
  done
  for prefix in '..' '../' 'a/../..' './' 'a//' '/etc'; do
    list_objects "prefix=$prefix"
    assert_error 400 invalid_key "list prefix=$prefix"
  done

  after_outside=$(snapshot_outside)
  assert_eq "$before_outside" "$after_outside" "files outside the object store after hostile requests"
  list_everything
  after_list=$HTTP_BODY
  assert_eq "$before_list" "$after_list" "the listing after hostile requests"
  strays=$(find "$watch" -path "$store" -prune -o \( -name escaped -o -name x -o -name etc \) -print) || true
  assert_eq "" "$strays" "files named escaped, x or etc outside the object store"
  [[ $etc_x_existed == yes || ! -e /etc/x ]] || fail "/etc/x was created"
  [[ $parent_escaped_existed == yes || ! -e "$tmp_parent/escaped" ]] || fail "$tmp_parent/escaped was created"
  [[ $slash_tmp_escaped_existed == yes || ! -e /tmp/escaped ]] || fail "/tmp/escaped was created"

  # The longest legal key (1024 bytes) works.
  local long_1024=${long_1025:0:1024}
  put_text "$long_1024" longest
  assert_status 201 "PUT a 1024-byte key"
  http GET "/v1/objects/$long_1024"
  assert_eq longest "$HTTP_BODY" "GET a 1024-byte key"
  http DELETE "/v1/objects/$long_1024"
  assert_status 204 "DELETE a 1024-byte key"
}

# literal key | the path it is PUT under
ENCODED_CASES=(
  'a/b/c|a%2Fb/c'
  'sp ace/x y|sp%20ace/x%20y'
  'pct%x|pct%25x'
  'lit%2Fx|lit%252Fx'
  'q?m|q%3Fm'
  'h#x|h%23x'
  'p+lus|p+lus'
  'café/日本|caf%C3%A9/%E6%97%A5%E6%9C%AC'
  '.hidden/.x|.hidden/.x'
  '.tmp-looks-like-a-temp-file|.tmp-looks-like-a-temp-file'
  'a..b/c.d./...|a..b/c.d./...'
  "sub!\$&'()*,;=:@|sub!\$&'()*,;=:@"
  'quote"back\slash|quote%22back%5Cslash'
  'tab	and~tilde|tab%09and~tilde'
)

check_key_encoding() {
  case_begin "key encoding round trips"
  local entry key path canonical listed n
  for entry in "${ENCODED_CASES[@]}"; do
    key=${entry%%|*}
    path=${entry#*|}
    put_text "$path" "value of $key"
    assert_status 201 "PUT $path"
    assert_eq "$key" "$(json_str key <<<"$HTTP_BODY")" "PUT $path answers the decoded key"
    http GET "/v1/objects/$path"
    assert_status 200 "GET $path"
    assert_eq "value of $key" "$HTTP_BODY" "GET $path"
    canonical=$(encode_path "$key")
    http GET "/v1/objects/$canonical"
    assert_status 200 "GET $canonical (every byte escaped)"
    assert_eq "value of $key" "$HTTP_BODY" "GET $canonical"
  done
  http GET /v1/objects/a/b/c
  assert_eq 'value of a/b/c' "$HTTP_BODY" "a%2Fb/c is the key a/b/c"
  http GET /v1/objects/lit/x
  assert_error 404 not_found "%252F is a literal %2F, not a slash"
  http GET /v1/objects/p%2Blus
  assert_eq 'value of p+lus' "$HTTP_BODY" "+ in a path is a plus, not a space"
  http GET '/v1/objects/p%20lus'
  assert_error 404 not_found "p lus (space) is another key"

  list_everything
  listed=$(json_strs key <<<"$HTTP_BODY")
  for entry in "${ENCODED_CASES[@]}"; do
    key=${entry%%|*}
    n=$(grep -cxF -- "$key" <<<"$listed") || true
    assert_eq 1 "$n" "times the key $(smoke_show "$key") appears in the listing"
    list_objects "prefix=$key" limit=1000
    assert_status 200 "list prefix=$key"
    assert_eq "$key" "$(json_strs key <<<"$HTTP_BODY" | first_line)" "first key under prefix $(smoke_show "$key")"
  done
}

# Walks a listing LIMIT at a time (extra name=value query parameters
# allowed); prints the keys and sets WALK_PAGES.
walk_listing() { # LIMIT [name=value...]
  local limit=$1
  shift
  local start="" keys="" page_keys count next
  WALK_PAGES=0
  while :; do
    if [[ -z "$start" ]]; then
      list_objects "$@" "limit=$limit"
    else
      list_objects "$@" "limit=$limit" "start_after=$start"
    fi
    assert_status 200 "page $WALK_PAGES of a listing ($*)"
    page_keys=$(json_strs key <<<"$HTTP_BODY")
    count=$(grep -c . <<<"$page_keys") || true
    next=$(json_next <<<"$HTTP_BODY")
    if ((count == 0 && WALK_PAGES == 0)) && [[ "$next" == null ]]; then
      break # an empty listing
    fi
    ((count >= 1 && count <= limit)) || fail "page $WALK_PAGES has $count keys (limit $limit): $HTTP_BODY"
    keys+="$page_keys"$'\n'
    WALK_PAGES=$((WALK_PAGES + 1))
    ((WALK_PAGES <= 1000)) || fail "pagination does not end"
    [[ "$next" == null ]] && break
    assert_eq "$(tail -n 1 <<<"$page_keys")" "$next" "next is the last key of page $WALK_PAGES"
    start=$next
  done
  printf '%s' "${keys%$'\n'}"
}

check_listing() {
  case_begin "list order, prefix and pagination"
  local -a keys=()
  local i key want walked
  for i in $(seq -w 0 22); do keys+=("list/k$i"); done
  keys+=('list/k01-x' 'list/k01/x' 'list/k01/y/z' 'list/sub/a' 'list/sub/b' 'list/Z' 'list/~')
  for key in "${keys[@]}"; do
    put_text "$key" "v:$key"
    assert_status 201 "PUT $key"
  done
  put_text 'list.x' outside
  put_text 'list0' outside
  put_text 'lisz' outside
  want=$(printf '%s\n' "${keys[@]}" | sort)

  list_objects prefix=list/
  assert_status 200 "list prefix=list/"
  assert_eq "$want" "$(json_strs key <<<"$HTTP_BODY")" "keys under list/, in byte order"
  assert_eq null "$(json_next <<<"$HTTP_BODY")" "next of a complete listing"
  assert_eq 8 "$(json_nums size <<<"$HTTP_BODY" | first_line)" "size of list/Z (v:list/Z) in the listing"
  local n_etags n_modified
  n_etags=$(json_strs etag <<<"$HTTP_BODY" | grep -c .) || true
  n_modified=$(json_strs modified <<<"$HTTP_BODY" | grep -c .) || true
  assert_eq "${#keys[@]} ${#keys[@]}" "$n_etags $n_modified" "every entry has etag and modified"

  # list/ 4 at a time: every key exactly once, in order.
  walked=$(walk_listing 4 prefix=list/)
  assert_eq "$want" "$walked" "every key exactly once across pages of 4 of list/"
  walk_listing 4 prefix=list/ >/dev/null
  assert_eq $(((${#keys[@]} + 3) / 4)) "$WALK_PAGES" "number of pages of 4"

  # The whole store 5 at a time equals the one-page listing.
  walked=$(walk_listing 5)
  list_everything
  assert_eq "$(json_strs key <<<"$HTTP_BODY")" "$walked" "pages of 5 equal the one-page listing"
  assert_eq "$(sort <<<"$walked")" "$walked" "the whole store lists in byte order"
  assert_eq "" "$(sort <<<"$walked" | uniq -d)" "keys listed twice"

  list_objects prefix=list/k01
  assert_eq $'list/k01\nlist/k01-x\nlist/k01/x\nlist/k01/y/z' "$(json_strs key <<<"$HTTP_BODY")" "prefix=list/k01"
  list_objects prefix=list/sub/
  assert_eq $'list/sub/a\nlist/sub/b' "$(json_strs key <<<"$HTTP_BODY")" "prefix=list/sub/"
  list_objects prefix=list
  assert_eq $'list.x\nlist0' "$(json_strs key <<<"$HTTP_BODY" | grep -v '^list/')" \
    "prefix=list also matches list.x and list0 but not lisz"
  list_objects prefix=list/ start_after=list/k20
  assert_eq $'list/k21\nlist/k22\nlist/sub/a\nlist/sub/b\nlist/~' "$(json_strs key <<<"$HTTP_BODY")" "start_after=list/k20"
  list_objects prefix=list/ start_after=list/k01/x limit=2
  assert_eq $'list/k01/y/z\nlist/k02' "$(json_strs key <<<"$HTTP_BODY")" "start_after inside a directory"
  list_objects prefix=nothing/here/
  assert_status 200 "list an empty prefix"
  assert_contains "$HTTP_BODY" '"objects":[]' "empty listing"
  assert_eq null "$(json_next <<<"$HTTP_BODY")" "next of an empty listing"

  local bad
  for bad in 0 abc -1 1.5 '' ' 5'; do
    list_objects "limit=$bad"
    assert_error 400 '*' "list limit=$(smoke_show "$bad")"
  done
}

# After a restart: what the checks above left is there, byte for byte.
# LISTING is the whole-store listing taken before the stop.
# A listing without the server's own vectord writer claim (_lakehouse/...),
# which each start makes afresh.
without_claims() {
  local claim='\{"etag":"[^"]*","key":"_lakehouse/[^"]*","modified":"[^"]*","size":[0-9]+\}'
  sed -E "s#,$claim##g; s#$claim,?##g"
}

check_survivors() { # LISTING
  list_everything
  assert_eq "$(without_claims <<<"$1")" "$(without_claims <<<"$HTTP_BODY")" \
    "the listing (keys, sizes, etags) after restart"
  get_file bin/big.bin "$SMOKE_TMP/big.after"
  assert_file_sha "$SMOKE_TMP/big.after" "$BIG_SHA" "6 MiB object after restart"
  http HEAD /v1/objects/bin/big.bin
  assert_eq "$BIG_ETAG" "$(header_value ETag)" "ETag after restart"
  get_file empty "$SMOKE_TMP/empty.after" --max-time 5
  assert_status 200 "empty object after restart"
  assert_eq 0 "$(stat -c %s "$SMOKE_TMP/empty.after")" "empty object size after restart"
  local entry
  for entry in "${ENCODED_CASES[@]}"; do
    http GET "/v1/objects/${entry#*|}"
    assert_eq "value of ${entry%%|*}" "$HTTP_BODY" "$(smoke_show "${entry%%|*}") after restart"
  done
  http GET /v1/objects/cond/once
  assert_eq fourth "$HTTP_BODY" "cond/once after restart"
}

# A server with max_object_bytes = LIMIT refuses bigger bodies with 413 and
# keeps nothing of them; a body of exactly LIMIT is fine. STORE_DIR is where
# the server keeps objects (checked for leftover temp files).
check_size_limit() { # LIMIT STORE_DIR
  local limit=$1 store=$2
  case_begin "max object size ($limit bytes)"
  random_file "$SMOKE_TMP/over.bin" $((2 * limit))
  put_file too/big "$SMOKE_TMP/over.bin"
  assert_error 413 too_large "PUT of twice the limit"
  http HEAD /v1/objects/too/big
  assert_status 404 "the refused object does not exist"

  put_file too/big-chunked "$SMOKE_TMP/over.bin" -H 'Transfer-Encoding: chunked'
  assert_error 413 too_large "chunked PUT of twice the limit"
  http HEAD /v1/objects/too/big-chunked
  assert_status 404 "the refused chunked object does not exist"

  head -c $((limit + 1)) "$SMOKE_TMP/over.bin" >"$SMOKE_TMP/over-by-one.bin"
  put_file too/big-by-one "$SMOKE_TMP/over-by-one.bin"
  assert_error 413 too_large "PUT of the limit + 1 byte"
  put_file too/big-by-one "$SMOKE_TMP/over-by-one.bin" -H 'Transfer-Encoding: chunked'
  assert_error 413 too_large "chunked PUT of the limit + 1 byte"
  http HEAD /v1/objects/too/big-by-one
  assert_status 404 "the refused limit + 1 object does not exist"

  # An existing object survives a refused replacement.
  put_text too/keep 'small and kept'
  put_file too/keep "$SMOKE_TMP/over.bin"
  assert_error 413 too_large "oversized replacement"
  http GET /v1/objects/too/keep
  assert_eq 'small and kept' "$HTTP_BODY" "object after a refused oversized replacement"
  http DELETE /v1/objects/too/keep
  assert_status 204 "DELETE too/keep"

  head -c "$limit" "$SMOKE_TMP/over.bin" >"$SMOKE_TMP/at-limit.bin"
  put_file exactly/limit "$SMOKE_TMP/at-limit.bin"
  assert_status 201 "PUT of exactly the limit"
  put_file exactly/limit-chunked "$SMOKE_TMP/at-limit.bin" -H 'Transfer-Encoding: chunked'
  assert_status 201 "chunked PUT of exactly the limit"
  get_file exactly/limit-chunked "$SMOKE_TMP/at-limit.out"
  assert_file_sha "$SMOKE_TMP/at-limit.out" "$(sha256_of "$SMOKE_TMP/at-limit.bin")" "object of exactly the limit"

  list_objects prefix=too/
  assert_contains "$HTTP_BODY" '"objects":[]' "nothing under too/ is listed"
  list_objects prefix=exactly/
  assert_eq $'exactly/limit\nexactly/limit-chunked' "$(json_strs key <<<"$HTTP_BODY")" "the accepted objects are listed"
  local temps
  temps=$(find "$store" -name '.tmp-*') || true
  assert_eq "" "$temps" "temp files left by refused PUTs"
  http GET /healthz
  assert_status 200 "server healthy after refused PUTs"
}
