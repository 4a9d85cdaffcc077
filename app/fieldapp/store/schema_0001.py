"""The phone schema as released in migration 0001 — frozen SQL, never edited.

Phones upgrade with live, unsynced data, so a released migration must keep meaning exactly
what it meant (create_all would silently follow later model edits). Change the models, then
add a migration with the ALTERs; tests/client/test_migrations.py fails until the migrated
schema equals the models again.
"""

SCHEMA_0001 = """
CREATE TABLE finding (
	field_seq JSON NOT NULL,
	deleted BOOLEAN NOT NULL,
	sync_error VARCHAR NOT NULL,
	id CHAR(32) NOT NULL,
	visit_id CHAR(32) NOT NULL,
	item_code VARCHAR NOT NULL,
	result VARCHAR,
	count INTEGER,
	value NUMERIC(14, 4),
	note VARCHAR NOT NULL,
	subject_id CHAR(32),
	review_comment VARCHAR NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (visit_id, item_code)
);

CREATE INDEX ix_finding_visit_id ON finding (visit_id);

CREATE TABLE local_blob (
	sha256 VARCHAR NOT NULL,
	path VARCHAR NOT NULL,
	thumb_path VARCHAR NOT NULL,
	byte_size INTEGER NOT NULL,
	state VARCHAR NOT NULL,
	upload_url VARCHAR NOT NULL,
	"offset" INTEGER NOT NULL,
	error VARCHAR NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (sha256)
);

CREATE INDEX ix_local_blob_state ON local_blob (state);

CREATE TABLE meta (
	"key" VARCHAR NOT NULL,
	value JSON NOT NULL,
	PRIMARY KEY ("key")
);

CREATE TABLE outbox (
	seq INTEGER NOT NULL,
	entity VARCHAR NOT NULL,
	entity_id CHAR(32) NOT NULL,
	op VARCHAR NOT NULL,
	fields JSON NOT NULL,
	base_seq JSON NOT NULL,
	prev JSON NOT NULL,
	state VARCHAR NOT NULL,
	code VARCHAR NOT NULL,
	message VARCHAR NOT NULL,
	created_at DATETIME NOT NULL,
	done_at DATETIME,
	PRIMARY KEY (seq)
);

CREATE INDEX ix_outbox_entity_id ON outbox (entity_id);

CREATE INDEX ix_outbox_state ON outbox (state);

CREATE TABLE photo (
	field_seq JSON NOT NULL,
	deleted BOOLEAN NOT NULL,
	sync_error VARCHAR NOT NULL,
	id CHAR(32) NOT NULL,
	visit_id CHAR(32),
	finding_id CHAR(32),
	rectification_id CHAR(32),
	sha256 VARCHAR NOT NULL,
	byte_size INTEGER NOT NULL,
	mime VARCHAR NOT NULL,
	width INTEGER,
	height INTEGER,
	captured_at DATETIME,
	clock_offset_ms INTEGER,
	lat FLOAT,
	lon FLOAT,
	caption VARCHAR NOT NULL,
	blob_present BOOLEAN NOT NULL,
	mine BOOLEAN NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_photo_finding_id ON photo (finding_id);

CREATE INDEX ix_photo_rectification_id ON photo (rectification_id);

CREATE INDEX ix_photo_sha256 ON photo (sha256);

CREATE INDEX ix_photo_visit_id ON photo (visit_id);

CREATE TABLE rectification (
	field_seq JSON NOT NULL,
	deleted BOOLEAN NOT NULL,
	sync_error VARCHAR NOT NULL,
	id CHAR(32) NOT NULL,
	visit_id CHAR(32) NOT NULL,
	finding_id CHAR(32) NOT NULL,
	site_id CHAR(32) NOT NULL,
	item_code VARCHAR NOT NULL,
	subject_code VARCHAR NOT NULL,
	severity VARCHAR NOT NULL,
	due_date VARCHAR NOT NULL,
	instructions VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	response_note VARCHAR NOT NULL,
	verify_comment VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_rectification_site_id ON rectification (site_id);

CREATE INDEX ix_rectification_status ON rectification (status);

CREATE INDEX ix_rectification_visit_id ON rectification (visit_id);

CREATE TABLE site (
	id CHAR(32) NOT NULL,
	code VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	type VARCHAR NOT NULL,
	address VARCHAR NOT NULL,
	lat FLOAT,
	lon FLOAT,
	active BOOLEAN NOT NULL,
	search VARCHAR NOT NULL,
	last_used_at DATETIME,
	PRIMARY KEY (id)
);

CREATE INDEX ix_site_code ON site (code);

CREATE INDEX ix_site_last_used_at ON site (last_used_at);

CREATE INDEX ix_site_name ON site (name);

CREATE TABLE subject (
	id CHAR(32) NOT NULL,
	site_id CHAR(32) NOT NULL,
	post VARCHAR NOT NULL,
	name VARCHAR NOT NULL,
	active BOOLEAN NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_subject_site_id ON subject (site_id);

CREATE TABLE task (
	id CHAR(32) NOT NULL,
	site_id CHAR(32) NOT NULL,
	template_id VARCHAR NOT NULL,
	mode VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	window_start DATETIME,
	window_end DATETIME,
	status VARCHAR NOT NULL,
	visit_id CHAR(32),
	note VARCHAR NOT NULL,
	PRIMARY KEY (id)
);

CREATE INDEX ix_task_site_id ON task (site_id);

CREATE TABLE template (
	"key" VARCHAR NOT NULL,
	template_id VARCHAR NOT NULL,
	version INTEGER NOT NULL,
	title VARCHAR NOT NULL,
	body JSON NOT NULL,
	retired BOOLEAN NOT NULL,
	PRIMARY KEY ("key")
);

CREATE INDEX ix_template_template_id ON template (template_id);

CREATE TABLE visit (
	field_seq JSON NOT NULL,
	deleted BOOLEAN NOT NULL,
	sync_error VARCHAR NOT NULL,
	id CHAR(32) NOT NULL,
	site_id CHAR(32) NOT NULL,
	template_key VARCHAR NOT NULL,
	mode VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	task_id CHAR(32),
	status VARCHAR NOT NULL,
	started_at DATETIME,
	finished_at DATETIME,
	submitted_at DATETIME,
	note VARCHAR NOT NULL,
	lat FLOAT,
	lon FLOAT,
	ack_name VARCHAR NOT NULL,
	ack_signature_sha256 VARCHAR,
	ack_at DATETIME,
	ack_refused BOOLEAN NOT NULL,
	return_comment VARCHAR NOT NULL,
	void_reason VARCHAR NOT NULL,
	score JSON NOT NULL,
	updated_at DATETIME,
	PRIMARY KEY (id)
);

CREATE INDEX ix_visit_site_id ON visit (site_id);

CREATE INDEX ix_visit_status ON visit (status);
"""
