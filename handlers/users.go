package handlers

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/review/account"
	"github.com/newsdesk/newsdesk/views"
)

// UserStore is what user administration needs of the database.
type UserStore interface {
	Users(ctx context.Context) ([]db.User, error)
	UserByID(ctx context.Context, id int64) (*db.User, error)
	CreateUser(ctx context.Context, username, hash string, role account.Role) (*db.User, error)
	SetPassword(ctx context.Context, id int64, hash string) error
	SetDisabled(ctx context.Context, id int64, disabled bool) error
	SetRole(ctx context.Context, id int64, role account.Role) error
	// ReviewsByUser is every user's status changes of all time, from
	// maintained counts.
	ReviewsByUser(ctx context.Context) (map[int64]db.Reviews, error)
}

// Users serves the admin pages that manage accounts. Routes put it behind
// the admin check; it trusts that.
type Users struct {
	store    UserStore
	sessions Sessions
}

// NewUsers returns the user administration handlers.
func NewUsers(store UserStore, s Sessions) *Users {
	return &Users{store: store, sessions: s}
}

// msgChooseRole is the form's answer to a role that is not
// account.ParseRole's.
const msgChooseRole = "Choose editor or admin."

// List is GET /admin/users.
func (h *Users) List(c echo.Context) error {
	return h.render(c, http.StatusOK, views.NewUserForm{Role: string(account.RoleEditor)}, nil)
}

// newUserForm is the POST /admin/users form.
type newUserForm struct {
	Username string
	Role     string
	Password string
}

// Validate checks every field; the zero result means the form is good.
func (f newUserForm) Validate() views.NewUserErrors {
	var e views.NewUserErrors
	if err := account.ValidateUsername(f.Username); err != nil {
		e.Username = capitalize(err.Error()) + "."
	}
	if _, err := account.ParseRole(f.Role); err != nil {
		e.Role = msgChooseRole
	}
	if err := account.ValidatePassword(f.Password); err != nil {
		e.Password = capitalize(err.Error()) + "."
	}
	return e
}

// Create is POST /admin/users: add an account.
func (h *Users) Create(c echo.Context) error {
	f := newUserForm{
		Username: account.NormalizeUsername(c.FormValue("username")),
		Role:     c.FormValue("role"),
		Password: c.FormValue("password"),
	}
	form := views.NewUserForm{Username: f.Username, Role: f.Role, Errors: f.Validate()}
	if form.Errors.Any() {
		return h.render(c, http.StatusUnprocessableEntity, form, nil)
	}
	hash, err := account.HashPassword(f.Password)
	if err != nil {
		return err
	}
	u, err := h.store.CreateUser(c.Request().Context(), f.Username, hash, account.Role(f.Role))
	if errors.Is(err, db.ErrUserExists) {
		form.Errors.Username = "That username is taken."
		return h.render(c, http.StatusUnprocessableEntity, form, nil)
	}
	if err != nil {
		return err
	}
	return h.done(c, "ok", "Added "+string(u.Role)+" "+u.Username+".")
}

// Update is POST /admin/users/:id; the op field says what to do:
// disable, enable, role (with role) or password (with password).
func (h *Users) Update(c echo.Context) error {
	target, err := h.target(c)
	if err != nil {
		return err
	}
	me := CurrentUser(c)
	self := me != nil && me.ID == target.ID
	ctx := c.Request().Context()
	switch op := c.FormValue("op"); op {
	case "disable", "enable":
		if self {
			return h.done(c, "error", "You cannot disable your own account.")
		}
		if err := h.store.SetDisabled(ctx, target.ID, op == "disable"); err != nil {
			return err
		}
		return h.done(c, "ok", capitalize(op)+"d "+target.Username+".")
	case "role":
		return h.setRole(c, target, self)
	case "password":
		return h.setPassword(c, target, self)
	default:
		return echo.NewHTTPError(http.StatusBadRequest, "Unknown action.")
	}
}

func (h *Users) setRole(c echo.Context, target *db.User, self bool) error {
	role, err := account.ParseRole(c.FormValue("role"))
	if err != nil {
		return h.done(c, "error", msgChooseRole)
	}
	if self && role != account.RoleAdmin {
		return h.done(c, "error", "You cannot demote yourself; ask another admin.")
	}
	if err := h.store.SetRole(c.Request().Context(), target.ID, role); err != nil {
		return err
	}
	return h.done(c, "ok", target.Username+" is now "+string(role)+".")
}

// setPassword sets a password the admin typed. The user's sessions end;
// when admins reset their own, this session starts afresh so they stay in.
func (h *Users) setPassword(c echo.Context, target *db.User, self bool) error {
	pw := c.FormValue("password")
	if err := account.ValidatePassword(pw); err != nil {
		return h.render(c, http.StatusUnprocessableEntity, views.NewUserForm{Role: string(account.RoleEditor)},
			map[int64]string{target.ID: capitalize(err.Error()) + "."})
	}
	hash, err := account.HashPassword(pw)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	if err := h.store.SetPassword(ctx, target.ID, hash); err != nil {
		return err
	}
	if self {
		u, err := h.store.UserByID(ctx, target.ID)
		if err != nil {
			return err
		}
		if err := h.sessions.Start(c, u); err != nil {
			return err
		}
	}
	return h.done(c, "ok", "Password of "+target.Username+" changed; their sessions have ended.")
}

// target loads the user named by :id; a bad or unknown id is a 404.
func (h *Users) target(c echo.Context) (*db.User, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return nil, echo.NewHTTPError(http.StatusNotFound, "No such user.")
	}
	u, err := h.store.UserByID(c.Request().Context(), id)
	if errors.Is(err, db.ErrNotFound) {
		return nil, echo.NewHTTPError(http.StatusNotFound, "No such user.").SetInternal(err)
	}
	return u, err
}

// done ends a POST: a flash for the next page and 303 back to the list.
func (h *Users) done(c echo.Context, kind, text string) error {
	if err := h.sessions.AddFlash(c, views.Flash{Kind: kind, Text: text}); err != nil {
		return err
	}
	return redirect(c, "/admin/users")
}

// render shows the list with the add form f and any password errors by
// user id.
func (h *Users) render(c echo.Context, status int, f views.NewUserForm, pwErrors map[int64]string) error {
	ctx := c.Request().Context()
	users, err := h.store.Users(ctx)
	if err != nil {
		return err
	}
	reviews, err := h.store.ReviewsByUser(ctx)
	if err != nil {
		return err
	}
	me := CurrentUser(c)
	v := views.UsersView{Add: f, Users: make([]views.UserRow, 0, len(users))}
	for _, u := range users {
		v.Users = append(v.Users, views.UserRow{
			ID:            u.ID,
			Name:          u.Username,
			Admin:         u.Role == account.RoleAdmin,
			Disabled:      u.Disabled,
			Self:          me != nil && me.ID == u.ID,
			Created:       u.CreatedAt.UTC().Format("2 Jan 2006"),
			CreatedISO:    u.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
			PasswordError: pwErrors[u.ID],
			Approved:      reviews[u.ID].Approved,
			Rejected:      reviews[u.ID].Rejected,
		})
		if !u.LastLoginAt.IsZero() {
			row := &v.Users[len(v.Users)-1]
			row.LastLogin = u.LastLoginAt.UTC().Format("2 Jan 2006, 15:04 UTC")
			row.LastLoginISO = u.LastLoginAt.UTC().Format("2006-01-02T15:04:05Z")
		}
	}
	p, err := pageFor(c, h.sessions, "Users", "users")
	if err != nil {
		return err
	}
	return render(c, status, views.Users(p, v))
}

// capitalize upper-cases the first letter of a message.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
