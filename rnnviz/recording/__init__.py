"""The recording side of rnnviz: the only part that imports TensorFlow and Keras."""
