"""The search engine shared by every app: lexical + semantic (cross-lingual) + rank fusion."""
