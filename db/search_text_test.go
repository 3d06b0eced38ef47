package db

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSearchText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ascii", "NHS Report, 2024!", "nhs report, 2024!"},
		{"empty", "", ""},
		{"marks", "Zürich Café naïve São Paulo Ångström", "zurich cafe naive sao paulo angstrom"},
		{"polish", "Łódź ŁÓDŹ łódź", "lodz lodz lodz"},
		{"german sharp s", "Straße STRAẞE", "strasse strasse"},
		{"nordic", "Øresund Ærøskøbing", "oresund aeroskobing"},
		{"icelandic", "Þórshöfn Eð", "thorshofn ed"},
		{"croatian", "Đakovo đak", "dakovo dak"},
		{"turkish", "Işık İstanbul", "isik istanbul"},
		{"french", "Œuvre cœur", "oeuvre coeur"},
		{"maltese and sami", "Ħamrun Ŧ Ŋ", "hamrun t n"},
		{"vietnamese", "Hà Nội Đà Nẵng", "ha noi da nang"},
		{"greek final sigma", "ΟΔΟΣ οδός", "οδοσ οδοσ"},
		{"cyrillic", "Москва", "москва"},
		{"compatibility forms", "ﬁnance ＡＢＣ１２ ①", "finance abc12 1"},
		{"chinese run", "自行车计划", "自行 行车 车计 计划"},
		{"one han character", "车", "车"},
		{"runs split by punctuation", "自行车。计划", "自行 行车 。 计划"},
		{"mixed scripts", "iPhone发布会", "iphone 发布 布会"},
		{"mixed with spaces", "新 iPhone 发布", "新 iphone 发布"},
		{"japanese with voicing", "東京都が新しい", "東京 京都 都が が新 新し しい"},
		{"half-width katakana", "ｶﾞｽ", "ガス"},
		{"prolonged sound mark", "スーパー", "スー ーパ パー"},
		{"hangul", "자전거도로", "자전 전거 거도 도로"},
		{"nul and controls", "a\x00b\tc\x7fd", "a b c d"},
		{"invalid utf-8", "caf\xe9 \xff\xfex", "caf   x"},
		{"devanagari keeps its signs", "हिंदी", "हिंदी"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := searchText(tt.in)
			if got != tt.want {
				t.Errorf("searchText(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := searchText(got); again != got {
				t.Errorf("searchText is not stable: %q then %q", got, again)
			}
			if !utf8.ValidString(got) {
				t.Errorf("searchText(%q) is not valid UTF-8: %q", tt.in, got)
			}
		})
	}
}

// The fast path for ASCII must give what the full path gives.
func TestSearchTextASCIIFastPath(t *testing.T) {
	for c := 0x20; c < 0x7f; c++ {
		s := "Ab" + string(rune(c)) + "Z"
		if got, want := searchText(s), searchText(s + "é")[:len(s)]; got != want {
			t.Errorf("%q: fast path %q, full path %q", s, got, want)
		}
	}
}

// FuzzSearchText: any input gives valid UTF-8 that searchText keeps as it
// is, so the index and the queries agree on it.
func FuzzSearchText(f *testing.F) {
	for _, s := range append(hostileSearches, "自行车计划", "Łódź", "ｶﾞｽ", "STRAẞE", "a自b行c") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := searchText(s)
		if !utf8.ValidString(got) {
			t.Fatalf("searchText(%q) = %q: invalid UTF-8", s, got)
		}
		if strings.ContainsRune(got, 0) {
			t.Fatalf("searchText(%q) = %q holds NUL", s, got)
		}
		if again := searchText(got); again != got {
			t.Fatalf("searchText(%q) = %q, then %q", s, got, again)
		}
	})
}

func BenchmarkSearchText(b *testing.B) {
	for _, in := range []struct{ name, s string }{
		{"ascii", "City council approves new cycle lane plan for the harbour road"},
		{"latin", "Łódź opens a new tram depot; Zürich adds night trams"},
		{"cjk", "市议会批准新的自行车道计划，新的自行车道将连接火车站和大学校园"},
	} {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.s)))
			for b.Loop() {
				searchText(in.s)
			}
		})
	}
}
