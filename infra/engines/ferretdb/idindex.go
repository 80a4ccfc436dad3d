package main

// Before id-column-matches-index.patch, FerretDB queried _id with an expression no index had, and this
// wrapper added an index on that expression (`<table>__t1_id_lookup`) to every collection. The patched
// FerretDB uses each collection's own unique _id index, so those extra indexes only cost a second index
// update per write: they are dropped from databases made before the patch, once at start.

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

const obsoleteIDIndexSuffix = "__t1_id_lookup"

func dropObsoleteIDIndexes(ctx context.Context, dir string, logger *slog.Logger) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, file := range files {
		if err := dropInFile(ctx, file, logger); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
	}
	return nil
}

func dropInFile(ctx context.Context, file string, logger *slog.Logger) error {
	if _, err := os.Stat(file); err != nil {
		return nil // dropped meanwhile
	}
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx,
		`SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE '%' || ?`, obsoleteIDIndexSuffix)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		if strings.HasSuffix(name, obsoleteIDIndexSuffix) {
			names = append(names, name)
		}
	}
	rows.Close()
	for _, name := range names {
		if _, err := db.ExecContext(ctx, fmt.Sprintf(`DROP INDEX IF EXISTS %q`, name)); err != nil {
			return err
		}
		logger.Info("dropped obsolete id index", "file", filepath.Base(file), "index", name)
	}
	return nil
}
