"""From a data dir to padded model batches: the dataset (features, augmentation, CMVN) and the one loader."""
