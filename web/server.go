// Package web is the newsdesk HTTP server: the routing table, the
// middleware (security headers, limits, CSRF, sessions), the error handler,
// and serving with timeouts and graceful shutdown.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/labstack/gommon/bytes"
	"github.com/newsdesk/newsdesk/db"
	"github.com/newsdesk/newsdesk/handlers"
)

// http.Server timeouts. Pages are small and quick; downloads lift the write
// deadline themselves (see longResponse).
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleConnTimeout   = 120 * time.Second
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 15 * time.Second
)

// Store is everything the web app needs of its database: the sum of the
// handlers' own small interfaces, the user lookup of the session check and
// the persisted session keys. *db.Store is the SQLite one; another
// implementation (PostgreSQL, shared by several instances) only has to
// satisfy this.
type Store interface {
	handlers.ArticleStore
	handlers.AuthStore
	handlers.UserStore
	handlers.DashboardStore
	handlers.TopicStore
	handlers.Pinger
	SessionKeys(ctx context.Context) (hashKey, blockKey []byte, err error)
}

var _ Store = (*db.Store)(nil)

// Server is the configured web application.
type Server struct {
	cfg      Config
	store    Store
	log      *slog.Logger
	e        *echo.Echo
	sessions *sessionManager
}

// New builds the server: session keys (from cfg.SessionKey or kept in the
// store), middleware and routes. It does not listen; see Run and Handler.
func New(ctx context.Context, cfg Config, store Store) (*Server, error) {
	cfg = cfg.withDefaults()
	if _, err := bytes.Parse(cfg.BodyLimit); err != nil {
		return nil, fmt.Errorf("web: body limit %q: %w", cfg.BodyLimit, err)
	}
	proxies, err := cfg.proxyRanges()
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	hashKey, blockKey, err := sessionKeys(ctx, cfg, store)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, store: store, log: cfg.Log, e: echo.New()}
	s.sessions = newSessionManager(cfg, hashKey, blockKey, store)
	s.e.HideBanner, s.e.HidePort = true, true
	s.e.HTTPErrorHandler = s.handleError
	s.e.IPExtractor = ipExtractor(proxies)
	s.middleware()
	s.routes()
	return s, nil
}

// sessionKeys are derived from the configured secret or, without one, read
// from the database (created there on first start and never replaced, so
// a restart logs nobody out).
func sessionKeys(ctx context.Context, cfg Config, store Store) (hashKey, blockKey []byte, err error) {
	if cfg.SessionKey != "" {
		return deriveKeys(cfg.SessionKey)
	}
	hashKey, blockKey, err = store.SessionKeys(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("web: %w", err)
	}
	return hashKey, blockKey, nil
}

// ipExtractor decides where c.RealIP comes from, which the login throttle
// keys on. X-Forwarded-For is believed only from configured proxies: by
// default Echo would believe any client, and its XFF extractor would trust
// every private and loopback address.
func ipExtractor(proxies []*net.IPNet) echo.IPExtractor {
	if len(proxies) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range proxies {
		opts = append(opts, echo.TrustIPRange(p))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// middleware installs what runs for every request. Order matters:
// headers first (so even a panic's 500 page has them), then request id,
// logging, panic recovery, the body limit, compression and the deadline.
// CSRF and sessions are per route, in routes.go.
func (s *Server) middleware() {
	s.e.Pre(securityHeaders)
	s.e.Use(
		middleware.RequestID(),
		middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
			LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true,
			LogRemoteIP: true, LogRequestID: true, HandleError: true,
			LogValuesFunc: s.logRequest,
		}),
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisableStackAll: true}),
		middleware.BodyLimit(s.cfg.BodyLimit),
		// Level 1 (BestSpeed): the pages are small and repetitive, so it
		// compresses them nearly as well as the default level 6 at a
		// fraction of the CPU, which the profile of the queue under load
		// showed to be a third of the server's time.
		middleware.GzipWithConfig(middleware.GzipConfig{Skipper: skipGzip, MinLength: 1024, Level: 1}),
		middleware.ContextTimeoutWithConfig(middleware.ContextTimeoutConfig{
			Timeout: s.cfg.HandlerTimeout,
			Skipper: isDownload,
		}),
	)
}

// logRequest writes one line per request. It logs the path without the
// query string: queries can hold search text.
func (s *Server) logRequest(c echo.Context, v middleware.RequestLoggerValues) error {
	attrs := []slog.Attr{
		slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
		slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP), slog.String("request_id", v.RequestID),
	}
	if v.Error != nil && v.Status < 500 { // 5xx are logged in full by handleError
		attrs = append(attrs, slog.String("error", v.Error.Error()))
	}
	s.log.LogAttrs(c.Request().Context(), slog.LevelInfo, "request", attrs...)
	return nil
}

// csrf is the CSRF check: the token bound to the session (see
// sessionManager.checkCSRF), in place of Echo's CSRF middleware, whose
// token lives in a cookie of its own that anyone able to set cookies for
// this host can plant together with a matching token.
func (s *Server) csrf() echo.MiddlewareFunc { return s.sessions.checkCSRF }

// Handler is the whole application as an http.Handler, for tests and for
// Run.
func (s *Server) Handler() http.Handler { return s.e }

// Sessions is the session manager, for handlers built outside this package.
func (s *Server) Sessions() handlers.Sessions { return s.sessions }

// Run serves on ln until ctx ends, then shuts down gracefully: it stops
// accepting, lets requests in flight finish (up to 15 s), and returns.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleConnTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}
