"""The terms text (約款) as a document: its structure (chapters, articles, paragraphs,
items), the drafting findings a mechanical read of it yields (`yakkan lint`), and the
review of a change between two versions of a spec (`yakkan review`)."""
