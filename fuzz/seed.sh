#!/bin/sh
# Seeds fuzz/corpus/<target>/ from the plans and records the repository already has.
# Run from the repository root: sh fuzz/seed.sh
set -eu
corpus=fuzz/corpus
mkdir -p "$corpus/dmarc_parse" "$corpus/render_split" "$corpus/plan_load" \
    "$corpus/plan_record_step" "$corpus/escape"

# Real-world and table records from the parser tests, one file each ({rua} filled in).
grep -o '"v=[^"]*' tests/record_parse.rs | cut -c2- | sed 's/{rua}/rua=mailto:d@example.com/' |
    while IFS= read -r record; do
        name=$(printf '%s' "$record" | cksum | cut -d' ' -f1)
        printf '%s' "$record" >"$corpus/dmarc_parse/$name"
        printf '%s' "$record" >"$corpus/escape/$name"
    done

# render_split reads 0xff-separated pairs whose first byte picks the tag (index in Tag::ALL).
printf '\000none\377\001%s\377\003%s\377\006%s' mailto:a@example.com 1:d 50 \
    >"$corpus/render_split/p-rua-fo-pct"
printf '\001mailto:%0250d@example.com,mailto:b@example.com' 0 >"$corpus/render_split/long-rua"

# Plans: record_step reads two bytes (phase/domain pick, day) before the plan text.
for plan in plans/*.toml tests/fixtures/invalid-plans/*.toml; do
    name=$(basename "$plan" .toml)
    cp "$plan" "$corpus/plan_load/$name"
    { printf '\001\007'; cat "$plan"; } >"$corpus/plan_record_step/$name"
    cp "$plan" "$corpus/escape/plan-$name"
done

# SPF and DKIM records from their parser tests; aggregate reports from the report fixtures.
mkdir -p "$corpus/spf_parse" "$corpus/dkim_parse" "$corpus/report_fold"
grep -o '"v=spf1[^"]*' tests/record_spf.rs | cut -c2- | while IFS= read -r record; do
    printf '%s' "$record" >"$corpus/spf_parse/$(printf '%s' "$record" | cksum | cut -d' ' -f1)"
done
grep -o '"v=DKIM1[^"]*\|"k=[^"]*\|"p=[^"]*' tests/record_dkim.rs | cut -c2- |
    while IFS= read -r record; do
        printf '%s' "$record" >"$corpus/dkim_parse/$(printf '%s' "$record" | cksum | cut -d' ' -f1)"
    done
cp tests/fixtures/reports/*.xml "$corpus/report_fold/"

# Messages: the header samples verify-message is tested on.
mkdir -p "$corpus/message_parse"
cp tests/fixtures/messages/* "$corpus/message_parse/"
