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
so each change reaches it exactly once, whatever crashes; work too long to hold the
store's write lock (the vectors' retraining) comes after, in `settle`. Only the holder of the
index writer follows the log, so there is one follower per index at a time.
"""

from .follower import Follower, Item, StoreConsumer

__all__ = ["Follower", "Item", "StoreConsumer"]
