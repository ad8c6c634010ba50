"""SwipeAnywhere training package: features, data, synthetic swipes, Conformer-RNN-T model."""
