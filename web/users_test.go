package web_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/web/webtest"
)

func TestAdminRoutesRefuseEditors(t *testing.T) {
	env := webtest.New(t)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	webtest.WantStatus(t, editor.Get("/admin/users"), http.StatusForbidden)
	for _, p := range []struct {
		path string
		form url.Values
	}{
		{"/admin/users", url.Values{"username": {"sneaky"}, "role": {"admin"}, "password": {"sneaky-password"}}},
		{"/admin/users/2", url.Values{"op": {"role"}, "role": {"admin"}}},
		{"/admin/users/1", url.Values{"op": {"disable"}}},
		{"/admin/users/1", url.Values{"op": {"password"}, "password": {"taken-over-now"}}},
	} {
		webtest.WantStatus(t, editor.PostForm(p.path, p.form), http.StatusForbidden)
	}
	users, err := env.Store.Users(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == "sneaky" || (u.ID == env.Editor.ID && u.Role != db.RoleEditor) || u.Disabled {
			t.Errorf("an editor changed users: %+v", u)
		}
	}
	if webtest.ByTestID(editor.Doc(editor.Get("/articles")), "current-user").Length() == 0 {
		t.Error("editor page lacks the layout")
	}
}

func TestUsersListAndAdd(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	doc := admin.Doc(admin.Get("/admin/users"))
	if n := webtest.ByTestID(doc, "user-row").Length(); n != 2 {
		t.Fatalf("%d user rows, want 2", n)
	}
	labelled(t, doc)

	resp := admin.PostForm("/admin/users", url.Values{"username": {"bob"}, "role": {"editor"}, "password": {"bobs-password"}})
	webtest.WantRedirect(t, resp, "/admin/users")
	doc = admin.Doc(admin.Follow(resp))
	if got := webtest.Flashes(doc); len(got) != 1 || got[0] != "Added editor bob." {
		t.Errorf("flashes %q", got)
	}
	row := doc.Find(`[data-testid="user-row"][data-user="bob"]`)
	if row.Length() != 1 || strings.TrimSpace(row.Find(`[data-testid="user-role"]`).Text()) != "editor" {
		t.Fatal("bob not listed as editor")
	}
	// The stored hash is argon2id (its default cost is account's test;
	// this binary hashes at the least cost, see TestMain).
	bob, err := env.Store.UserByName(t.Context(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(bob.PasswordHash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != "v=19" || parts[3] != "m=8,t=1,p=1" {
		t.Fatalf("hash %q", bob.PasswordHash)
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) != 16 || len(key) != 32 {
		t.Errorf("salt %d bytes, key %d bytes", len(salt), len(key))
	}
	if strings.Contains(bob.PasswordHash, "bobs-password") {
		t.Error("password stored in clear")
	}
	env.Login(t, "bob", "bobs-password")
}

func TestUsersAddInvalid(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	for _, tc := range []struct {
		name             string
		form             url.Values
		wantErrs         []string
		wantKeptUsername string
	}{
		{"empty", url.Values{}, []string{"new-username-error", "new-role-error", "new-password-error"}, ""},
		{"short password", url.Values{"username": {"carol"}, "role": {"editor"}, "password": {"short"}}, []string{"new-password-error"}, "carol"},
		{"long password", url.Values{"username": {"carol"}, "role": {"editor"}, "password": {strings.Repeat("p", 129)}}, []string{"new-password-error"}, "carol"},
		{"bad characters", url.Values{"username": {"carol smith<"}, "role": {"editor"}, "password": {"carols-password"}}, []string{"new-username-error"}, "carol smith<"},
		{"bad role", url.Values{"username": {"carol"}, "role": {"owner"}, "password": {"carols-password"}}, []string{"new-role-error"}, "carol"},
		{"taken, other case", url.Values{"username": {"EDITOR"}, "role": {"editor"}, "password": {"carols-password"}}, []string{"new-username-error"}, "EDITOR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := admin.PostForm("/admin/users", tc.form)
			webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)
			doc := admin.Doc(resp)
			for _, id := range tc.wantErrs {
				if webtest.ByTestID(doc, id).Length() != 1 {
					t.Errorf("no %s", id)
				}
			}
			if n := doc.Find(".field-error").Length(); n != len(tc.wantErrs) {
				t.Errorf("%d field errors, want %d", n, len(tc.wantErrs))
			}
			if v := webtest.ByTestID(doc, "new-username").AttrOr("value", ""); v != tc.wantKeptUsername {
				t.Errorf("username shown %q", v)
			}
			if _, has := webtest.ByTestID(doc, "new-password").Attr("value"); has {
				t.Error("password echoed back")
			}
		})
	}
	if users, _ := env.Store.Users(t.Context()); len(users) != 2 {
		t.Errorf("%d users after invalid adds", len(users))
	}
}

func TestUsersDisableEnable(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	resp := admin.PostForm("/admin/users/2", url.Values{"op": {"disable"}})
	webtest.WantRedirect(t, resp, "/admin/users")
	doc := admin.Doc(admin.Follow(resp))
	if got := webtest.Flashes(doc); len(got) != 1 || got[0] != "Disabled editor." {
		t.Errorf("flashes %q", got)
	}
	if s := doc.Find(`[data-user="editor"] [data-testid="user-state"]`).Text(); !strings.Contains(s, "disabled") {
		t.Errorf("state %q", s)
	}
	if editor.LoggedIn() {
		t.Error("disabled editor still logged in")
	}
	resp = env.Client(t).PostLogin(webtest.EditorName, webtest.EditorPassword)
	webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)

	webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"enable"}}), "/admin/users")
	env.Login(t, webtest.EditorName, webtest.EditorPassword)
}

func TestUsersResetPassword(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)

	resp := admin.PostForm("/admin/users/2", url.Values{"op": {"password"}, "password": {"short"}})
	webtest.WantStatus(t, resp, http.StatusUnprocessableEntity)
	doc := admin.Doc(resp)
	row := doc.Find(`[data-user="editor"]`)
	if row.Find(`[data-testid="password-error"]`).Length() != 1 || row.Find(`[aria-invalid="true"]`).Length() != 1 {
		t.Error("no password error on the editor's row")
	}
	if !editor.LoggedIn() {
		t.Fatal("a rejected reset ended the session")
	}

	webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"password"}, "password": {"a-new-password"}}), "/admin/users")
	if editor.LoggedIn() {
		t.Error("editor still logged in with the old password's session")
	}
	webtest.WantStatus(t, env.Client(t).PostLogin(webtest.EditorName, webtest.EditorPassword), http.StatusUnprocessableEntity)
	env.Login(t, webtest.EditorName, "a-new-password")

	// Admins resetting their own password stay logged in here.
	webtest.WantRedirect(t, admin.PostForm("/admin/users/1", url.Values{"op": {"password"}, "password": {"admins-new-password"}}), "/admin/users")
	if !admin.LoggedIn() {
		t.Error("admin logged out by changing their own password")
	}
	env.Login(t, webtest.AdminName, "admins-new-password")
}

func TestUsersChangeRole(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	editor := env.Login(t, webtest.EditorName, webtest.EditorPassword)
	webtest.WantStatus(t, editor.Get("/admin/users"), http.StatusForbidden)
	webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"role"}, "role": {"admin"}}), "/admin/users")
	// Roles are read on each request: no new login needed.
	webtest.WantStatus(t, editor.Get("/admin/users"), http.StatusOK)
	webtest.WantRedirect(t, admin.PostForm("/admin/users/2", url.Values{"op": {"role"}, "role": {"editor"}}), "/admin/users")
	webtest.WantStatus(t, editor.Get("/admin/users"), http.StatusForbidden)
}

func TestUsersNoSelfHarm(t *testing.T) {
	env := webtest.New(t)
	admin := env.Login(t, webtest.AdminName, webtest.AdminPassword)
	doc := admin.Doc(admin.Get("/admin/users"))
	self := doc.Find(`[data-user="admin"]`)
	if self.Find(`[data-testid="disable-form"], [data-testid="role-form"]`).Length() != 0 {
		t.Error("own row offers disable or role change")
	}
	for _, form := range []url.Values{
		{"op": {"disable"}},
		{"op": {"role"}, "role": {"editor"}},
	} {
		resp := admin.PostForm("/admin/users/1", form)
		webtest.WantRedirect(t, resp, "/admin/users")
		doc := admin.Doc(admin.Follow(resp))
		if f := webtest.ByTestID(doc, "flash"); f.Length() != 1 || !f.HasClass("error") {
			t.Errorf("%v: no error flash", form)
		}
	}
	me, err := env.Store.UserByID(t.Context(), env.Admin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if me.Disabled || me.Role != db.RoleAdmin {
		t.Errorf("admin harmed themselves: %+v", me)
	}
	if !admin.LoggedIn() {
		t.Error("admin logged out")
	}
}

// labelled checks every visible form control has a label.
func labelled(t *testing.T, doc *goquery.Document) {
	t.Helper()
	doc.Find("input, select, textarea").Each(func(_ int, s *goquery.Selection) {
		if typ := s.AttrOr("type", ""); typ == "hidden" || typ == "submit" {
			return
		}
		if _, hidden := s.Attr("hidden"); hidden {
			return
		}
		id := s.AttrOr("id", "")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("control %s (name %s) has no label", id, s.AttrOr("name", ""))
		}
	})
}
