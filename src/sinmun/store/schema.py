"""The schema, as the lists of migrations that build it: SQLite's, then PostgreSQL's.

Each entry moves the schema one version up (`PRAGMA user_version`). Never edit a
released entry: add a new one, so that every existing file can follow.
"""

MIGRATIONS: list[str] = [
    # 1: first release
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE articles (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL,
        headline TEXT NOT NULL,
        series TEXT,
        episode INTEGER,
        section TEXT,
        body TEXT NOT NULL,
        key_insights TEXT,
        summary TEXT,
        explainer TEXT,
        published TEXT,
        url TEXT,
        source TEXT,
        position INTEGER,
        format TEXT,
        ingested_at TEXT NOT NULL,
        raw TEXT NOT NULL
    );
    CREATE INDEX articles_section ON articles (section);
    CREATE INDEX articles_series ON articles (series, episode);
    INSERT INTO meta VALUES ('store_id', lower(hex(randomblob(16))));
    """,
    # 2: real-world ingest: bylines, revisions, duplicates, every source of an article
    """
    ALTER TABLE articles ADD COLUMN byline TEXT;
    ALTER TABLE articles ADD COLUMN modified TEXT;
    ALTER TABLE articles ADD COLUMN encoding TEXT;
    ALTER TABLE articles ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE articles ADD COLUMN content_id TEXT;
    ALTER TABLE articles ADD COLUMN text_hash TEXT;
    ALTER TABLE articles ADD COLUMN duplicate_of TEXT;
    ALTER TABLE articles ADD COLUMN similarity REAL;
    UPDATE articles SET content_id = id, text_hash = text_hash(body);
    CREATE INDEX articles_url ON articles (url);
    CREATE INDEX articles_content ON articles (content_id);
    CREATE INDEX articles_text_hash ON articles (text_hash);
    CREATE TABLE sources (
        article_id TEXT NOT NULL,
        source TEXT NOT NULL,
        url TEXT,
        ingested_at TEXT NOT NULL,
        PRIMARY KEY (article_id, source)
    );
    INSERT INTO sources SELECT id, COALESCE(source, ''), url, ingested_at FROM articles;
    CREATE TABLE revisions (
        article_id TEXT NOT NULL,
        rev INTEGER NOT NULL,
        content_id TEXT NOT NULL,
        data TEXT NOT NULL,
        raw TEXT NOT NULL,
        replaced_at TEXT NOT NULL,
        PRIMARY KEY (article_id, rev)
    );
    CREATE INDEX revisions_content ON revisions (content_id);
    CREATE TABLE minhashes (article_id TEXT PRIMARY KEY, signature BLOB NOT NULL);
    CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER, mtime REAL, ingested_at TEXT);
    """,
    # 3: how each publication date is known
    """
    ALTER TABLE articles ADD COLUMN date_precision TEXT;
    UPDATE articles SET date_precision = 'source' WHERE published IS NOT NULL;
    """,
    # 4: entities and stories (derived, like the index: rebuilt by `sinmun reindex`)
    """
    CREATE TABLE article_entities (
        article_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (article_id, name)
    );
    CREATE INDEX article_entities_name ON article_entities (name);
    CREATE TABLE entity_df (name TEXT PRIMARY KEY, type TEXT NOT NULL, articles INTEGER NOT NULL);
    CREATE TABLE stories (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, size INTEGER NOT NULL,
        first_day TEXT, last_day TEXT, last_seq INTEGER NOT NULL
    );
    CREATE TABLE story_articles (article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, score REAL NOT NULL);
    CREATE INDEX story_articles_story ON story_articles (story_id);
    CREATE TABLE story_entities (
        story_id TEXT NOT NULL, name TEXT NOT NULL, weight REAL NOT NULL, PRIMARY KEY (story_id, name)
    );
    CREATE INDEX story_entities_name ON story_entities (name);
    """,
    # 5: search by meaning and typo correction (derived, rebuilt by `sinmun reindex`)
    """
    CREATE TABLE article_vectors (
        seq INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, duplicate INTEGER NOT NULL,
        bag BLOB NOT NULL, vector BLOB NOT NULL
    );
    CREATE TABLE morph_df (morph INTEGER PRIMARY KEY, df INTEGER NOT NULL);
    CREATE TABLE term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
    """,
    # 6: the change log. Derived data follows it; each consumer records its position.
    # Revisions now keep the article's row (and seq): the log, not the row, says what changed.
    # Derived tables are emptied: they are rebuilt from the log by the next catch-up.
    """
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        article_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL
    );
    INSERT INTO changes (article_id, kind, at) SELECT id, 'put', ingested_at FROM articles ORDER BY seq;
    CREATE TABLE consumers (name TEXT PRIMARY KEY, seq INTEGER NOT NULL, analysis TEXT NOT NULL DEFAULT '');
    DELETE FROM article_entities; DELETE FROM entity_df; DELETE FROM stories;
    DELETE FROM story_articles; DELETE FROM story_entities;
    DELETE FROM article_vectors; DELETE FROM morph_df; DELETE FROM term_df;
    DELETE FROM meta WHERE key = 'vectors_trained_n';
    """,
    # 7: lists and date ranges by index, not by sorting or scanning every article
    """
    CREATE INDEX articles_newest ON articles (
        (CASE WHEN date_precision IN ('source', 'page') THEN substr(published, 1, 10) ELSE '' END), seq);
    CREATE INDEX articles_section_newest ON articles (
        section, (CASE WHEN date_precision IN ('source', 'page') THEN substr(published, 1, 10) ELSE '' END), seq);
    CREATE INDEX articles_published ON articles (published);
    """,
    # 8: the newsroom's API: retractions, access tokens (hashed), the audit log
    """
    ALTER TABLE articles ADD COLUMN retracted_at TEXT;
    CREATE TABLE tokens (
        name TEXT PRIMARY KEY,
        digest TEXT NOT NULL UNIQUE,
        scope TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        article_id TEXT,
        rev INTEGER,
        detail TEXT
    );
    CREATE INDEX audit_article ON audit (article_id);
    """,
    # 9: counting the live articles (every list's total) by index: since retractions (8) the
    # count read every row, bodies and all (17 ms at 10,000 articles, on every list and page)
    """
    CREATE INDEX articles_live ON articles (seq) WHERE retracted_at IS NULL;
    """,
    # 10: the sections and series every page lists, counted by index: found by the scale bench,
    # where counting them read every article (47 ms at 10,000 generated articles, 1.7 ms by index)
    """
    CREATE INDEX IF NOT EXISTS articles_live_section ON articles (section) WHERE retracted_at IS NULL;
    CREATE INDEX IF NOT EXISTS articles_live_series ON articles (series) WHERE retracted_at IS NULL;
    """,
    # 11: the other ways an entity is written (a surname alone, an acronym, a printed alias),
    # counted by article: an entity page lists them, and a lone surname elsewhere in the archive
    # finds its one full name (derived, like entities: rebuilt with them)
    """
    CREATE TABLE entity_variants (
        name TEXT NOT NULL, variant TEXT NOT NULL, articles INTEGER NOT NULL, PRIMARY KEY (name, variant)
    );
    CREATE INDEX entity_variants_variant ON entity_variants (variant);
    """,
    # 12: the verbatim source record compressed against the row's own text (store/packing.py):
    # the largest column, 1,877 -> 246 bytes a Wikinews record
    """
    UPDATE articles SET raw = pack_raw(raw, title, body) WHERE typeof(raw) = 'text';
    UPDATE revisions SET raw = pack_raw(raw, json_extract(data, '$.title'), json_extract(data, '$.body'))
        WHERE typeof(raw) = 'text';
    """,
    # 13: tables that are all key kept as their key's B-tree (WITHOUT ROWID): a rowid table
    # beside a primary-key index stored every entity row twice (2.5 KB of 28 an article at
    # 10,000 generated articles). PostgreSQL keeps a table and its key index apart anyway.
    """
    CREATE TABLE article_entities_13 (
        article_id TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (article_id, name)
    ) WITHOUT ROWID;
    INSERT INTO article_entities_13 SELECT article_id, name, type, count FROM article_entities;
    DROP TABLE article_entities;
    ALTER TABLE article_entities_13 RENAME TO article_entities;
    CREATE INDEX article_entities_name ON article_entities (name);
    CREATE TABLE story_entities_13 (
        story_id TEXT NOT NULL, name TEXT NOT NULL, weight REAL NOT NULL, PRIMARY KEY (story_id, name)
    ) WITHOUT ROWID;
    INSERT INTO story_entities_13 SELECT story_id, name, weight FROM story_entities;
    DROP TABLE story_entities;
    ALTER TABLE story_entities_13 RENAME TO story_entities;
    CREATE INDEX story_entities_name ON story_entities (name);
    CREATE TABLE term_df_13 (term TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
    INSERT INTO term_df_13 SELECT term, df FROM term_df;
    DROP TABLE term_df;
    ALTER TABLE term_df_13 RENAME TO term_df;
    """,
    # 14: near-duplicate candidates found by the store: each signature's LSH band keys
    # (sinmun.connect.dedupe.band_keys), instead of an in-memory index built from every
    # signature on each ingest (17.9 s and 1.0 GB at 100,000 articles)
    """
    CREATE TABLE minhash_bands (band INTEGER NOT NULL, article_id TEXT NOT NULL, PRIMARY KEY (band, article_id))
        WITHOUT ROWID;
    INSERT OR IGNORE INTO minhash_bands
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 24)
        SELECT band_key(signature, i), article_id FROM minhashes, n;
    """,
    # 15: articles with entities, counted as they are written (`SqlEntities.count_articles`):
    # counting them in article_entities read every row, once per batch of the story connector
    """
    INSERT INTO meta SELECT 'entity_articles', CAST(count(DISTINCT article_id) AS TEXT) FROM article_entities;
    """,
    # 16: stories and their members as their key's B-tree (WITHOUT ROWID), as 13 did for the
    # entity tables: placing an article looks up the story of every row that shares one of its
    # rarest names, and a rowid table made that two B-tree searches a row, not one (the
    # candidates query 1.6-2.4 -> 0.9-1.1 ms an article at 164,000 generated articles)
    """
    CREATE TABLE stories_16 (
        id TEXT PRIMARY KEY, title TEXT NOT NULL, size INTEGER NOT NULL,
        first_day TEXT, last_day TEXT, last_seq INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO stories_16 SELECT id, title, size, first_day, last_day, last_seq FROM stories;
    DROP TABLE stories;
    ALTER TABLE stories_16 RENAME TO stories;
    CREATE TABLE story_articles_16 (article_id TEXT PRIMARY KEY, story_id TEXT NOT NULL, score REAL NOT NULL)
        WITHOUT ROWID;
    INSERT INTO story_articles_16 SELECT article_id, story_id, score FROM story_articles;
    DROP TABLE story_articles;
    ALTER TABLE story_articles_16 RENAME TO story_articles;
    CREATE INDEX story_articles_story ON story_articles (story_id);
    """,
    # 17: articles with a vector, counted as they are written (`SqlVectors.count`): counting
    # article_vectors read its whole index once per embedder batch and once per query embedded
    """
    INSERT INTO meta SELECT 'vector_articles', CAST(count(*) AS TEXT) FROM article_vectors;
    """,
    # 18: the biggest stories first (the home page's and `sinmun stories`' order) read from an index:
    # counting and sorting every story took 60 ms at 412,000 generated articles, on every home page
    """
    CREATE INDEX stories_biggest ON stories (size, COALESCE(last_day, ''), last_seq);
    """,
]

# PostgreSQL's schema has its own migrations (the version is the meta row `schema_version`).
# Its first entry is SQLite's schema at version 9, in PostgreSQL's words. Text columns use the
# "C" collation: ids, URLs and dates are compared as ranges (`id >= prefix AND id < prefix || 'g'`)
# and names are sorted the way SQLite sorts them, by code point, whatever the server's locale.
_T = 'TEXT COLLATE "C"'
POSTGRES_MIGRATIONS: list[str] = [
    # 1: everything SQLite's migrations 1-9 built
    f"""
    CREATE TABLE meta (key {_T} PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('store_id', replace(gen_random_uuid()::text, '-', ''));
    CREATE TABLE articles (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        id {_T} NOT NULL UNIQUE,
        title {_T} NOT NULL, headline {_T} NOT NULL, series {_T}, episode INTEGER, section {_T},
        body TEXT NOT NULL, key_insights TEXT, summary TEXT, explainer TEXT,
        published {_T}, url {_T}, source {_T}, position INTEGER, format {_T},
        ingested_at {_T} NOT NULL, raw TEXT NOT NULL,
        byline {_T}, modified {_T}, encoding {_T}, partial INTEGER NOT NULL DEFAULT 0,
        content_id {_T}, text_hash {_T}, duplicate_of {_T}, similarity DOUBLE PRECISION,
        date_precision {_T}, retracted_at {_T}
    );
    CREATE INDEX articles_section ON articles (section);
    CREATE INDEX articles_series ON articles (series, episode);
    CREATE INDEX articles_url ON articles (url);
    CREATE INDEX articles_content ON articles (content_id);
    CREATE INDEX articles_text_hash ON articles (text_hash);
    CREATE INDEX articles_newest ON articles (
        (CASE WHEN date_precision IN ('source', 'page') THEN substr(published, 1, 10) ELSE '' END), seq);
    CREATE INDEX articles_section_newest ON articles (
        section, (CASE WHEN date_precision IN ('source', 'page') THEN substr(published, 1, 10) ELSE '' END), seq);
    CREATE INDEX articles_published ON articles (published);
    CREATE INDEX articles_live ON articles (seq) WHERE retracted_at IS NULL;
    CREATE TABLE sources (
        article_id {_T} NOT NULL, source {_T} NOT NULL, url {_T}, ingested_at {_T} NOT NULL,
        PRIMARY KEY (article_id, source)
    );
    CREATE TABLE revisions (
        article_id {_T} NOT NULL, rev INTEGER NOT NULL, content_id {_T} NOT NULL, data TEXT NOT NULL,
        raw TEXT NOT NULL, replaced_at {_T} NOT NULL, PRIMARY KEY (article_id, rev)
    );
    CREATE INDEX revisions_content ON revisions (content_id);
    CREATE TABLE minhashes (article_id {_T} PRIMARY KEY, signature BYTEA NOT NULL);
    CREATE TABLE files (path {_T} PRIMARY KEY, size BIGINT, mtime DOUBLE PRECISION, ingested_at {_T});
    CREATE TABLE article_entities (
        article_id {_T} NOT NULL, name {_T} NOT NULL, type {_T} NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (article_id, name)
    );
    CREATE INDEX article_entities_name ON article_entities (name);
    CREATE TABLE entity_df (name {_T} PRIMARY KEY, type {_T} NOT NULL, articles INTEGER NOT NULL);
    CREATE TABLE stories (
        id {_T} PRIMARY KEY, title {_T} NOT NULL, size INTEGER NOT NULL,
        first_day {_T}, last_day {_T}, last_seq BIGINT NOT NULL
    );
    CREATE TABLE story_articles (article_id {_T} PRIMARY KEY, story_id {_T} NOT NULL, score DOUBLE PRECISION NOT NULL);
    CREATE INDEX story_articles_story ON story_articles (story_id);
    CREATE TABLE story_entities (
        story_id {_T} NOT NULL, name {_T} NOT NULL, weight DOUBLE PRECISION NOT NULL, PRIMARY KEY (story_id, name)
    );
    CREATE INDEX story_entities_name ON story_entities (name);
    CREATE TABLE article_vectors (
        seq BIGINT PRIMARY KEY, article_id {_T} NOT NULL UNIQUE, duplicate INTEGER NOT NULL,
        bag BYTEA NOT NULL, vector BYTEA NOT NULL
    );
    CREATE TABLE morph_df (morph BIGINT PRIMARY KEY, df INTEGER NOT NULL);
    CREATE TABLE term_df (term {_T} PRIMARY KEY, df INTEGER NOT NULL);
    CREATE TABLE changes (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        article_id {_T} NOT NULL, kind {_T} NOT NULL, at {_T} NOT NULL
    );
    CREATE TABLE consumers (name {_T} PRIMARY KEY, seq BIGINT NOT NULL, analysis {_T} NOT NULL DEFAULT '');
    CREATE TABLE tokens (
        name {_T} PRIMARY KEY, digest {_T} NOT NULL UNIQUE, scope {_T} NOT NULL,
        created_at {_T} NOT NULL, revoked_at {_T}
    );
    CREATE TABLE audit (
        seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        at {_T} NOT NULL, actor {_T} NOT NULL, action {_T} NOT NULL, article_id {_T}, rev INTEGER, detail TEXT
    );
    CREATE INDEX audit_article ON audit (article_id);
    """,
    # 2: as SQLite's 10 (sections and series counted by index)
    """
    CREATE INDEX IF NOT EXISTS articles_live_section ON articles (section) WHERE retracted_at IS NULL;
    CREATE INDEX IF NOT EXISTS articles_live_series ON articles (series) WHERE retracted_at IS NULL;
    """,
    # 3: as SQLite's 11 (entity variants)
    f"""
    CREATE TABLE entity_variants (
        name {_T} NOT NULL, variant {_T} NOT NULL, articles INTEGER NOT NULL, PRIMARY KEY (name, variant)
    );
    CREATE INDEX entity_variants_variant ON entity_variants (variant);
    """,
    # 4: as SQLite's 12 (raw records packed). Rows already stored stay as they were, as UTF-8
    # bytes: PostgreSQL compresses large values itself (TOAST), and the reader takes both.
    """
    ALTER TABLE articles ALTER COLUMN raw TYPE BYTEA USING convert_to(raw, 'UTF8');
    ALTER TABLE revisions ALTER COLUMN raw TYPE BYTEA USING convert_to(raw, 'UTF8');
    """,
    # 5: as SQLite's 14 (LSH band keys), computed in SQL the way `band_keys` does: the first
    # 4 bytes of MD5 of (band number, the band's 40 bytes), as a signed integer
    f"""
    CREATE TABLE minhash_bands (band INTEGER NOT NULL, article_id {_T} NOT NULL, PRIMARY KEY (band, article_id));
    INSERT INTO minhash_bands
        SELECT ('x' || left(md5(set_byte('\\x00'::bytea, 0, i) || substring(signature FROM i * 40 + 1 FOR 40)), 8))
               ::bit(32)::integer, article_id
        FROM minhashes, generate_series(0, 24) AS i
        ON CONFLICT DO NOTHING;
    """,
    # 6: as SQLite's 15 (articles with entities, counted as they are written)
    """
    INSERT INTO meta SELECT 'entity_articles', CAST(count(DISTINCT article_id) AS TEXT) FROM article_entities;
    """,
    # 7: as SQLite's 17 (articles with a vector, counted as they are written)
    """
    INSERT INTO meta SELECT 'vector_articles', CAST(count(*) AS TEXT) FROM article_vectors;
    """,
    # 8: as SQLite's 18 (the biggest stories first, from an index)
    """
    CREATE INDEX stories_biggest ON stories (size, (COALESCE(last_day, '')), last_seq);
    """,
]
