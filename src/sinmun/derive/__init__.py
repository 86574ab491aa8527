"""Derived data follows the store's change log.

The search index, entities and stories, article vectors and the vocabulary are
all made from the same Kiwi analysis of each changed article. `Follower.catch_up`
reads the changes past the slowest consumer's position, analyses each changed
article once, and hands it to every consumer that has not seen that change:

    index       Tantivy, in a folder beside the store; its position is in its own meta file
    stories     entities and story membership (store tables; position in `consumers`)
    vectors     morpheme bags and article vectors (store tables; position in `consumers`)
    vocabulary  term document frequencies for spelling correction (store table)
    vector file the usearch HNSW index beside the Tantivy index, refreshed at the end

A store-side consumer writes its tables and its new position in one transaction,
so each change reaches it exactly once, whatever crashes. Work on a batch that needs no
store (reading each article's lead into the sentence encoder) comes before, in `prepare`,
and work too long to hold the store's write lock (the vectors' retraining) after, in
`settle`: a writer waiting on the store (an article published through the API) waits for
the writing alone. Only the holder of the
index writer follows the log, so there is one follower per index at a time.
"""

from .follower import Follower, Item, StoreConsumer

__all__ = ["Follower", "Item", "StoreConsumer"]
