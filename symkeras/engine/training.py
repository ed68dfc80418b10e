"""`Model`: a `Network` that can be compiled and trained (Keras 2.2.4's training API).

`compile` builds the symbolic total loss and the metrics; the three compiled functions (train,
test, predict) are made lazily on first use and reused.  The loops live in `training_arrays` and
`training_generator`, the checks of user data in `training_utils`.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from symkeras import backend as K
from symkeras import losses as losses_module
from symkeras import metrics as metrics_module
from symkeras import optimizers
from symkeras.callbacks import Callback, History
from symkeras.engine import training_arrays, training_generator
from symkeras.engine.network import Network
from symkeras.engine.training_utils import (
    check_array_length_consistency, check_loss_and_target_compatibility, collect_metrics, slice_arrays,
    standardize_input_data, standardize_sample_or_class_weights, standardize_weights, to_list, unpack_singleton,
    weighted_masked_objective,
)
from symkeras.legacy import interfaces

Data = Union[None, np.ndarray, List[np.ndarray], Dict[str, np.ndarray]]
Result = Union[np.generic, List[np.generic]]

#: what 'acc' / 'ce' resolve to, by (binary, sparse, categorical) case of the output
_ACCURACY = {"binary": metrics_module.binary_accuracy, "sparse": metrics_module.sparse_categorical_accuracy,
             "categorical": metrics_module.categorical_accuracy}
_CROSSENTROPY = {"binary": metrics_module.binary_crossentropy,
                 "sparse": metrics_module.sparse_categorical_crossentropy,
                 "categorical": metrics_module.categorical_crossentropy}


def _per_output(value: Any, output_names: Sequence[str], what: str, default: Any) -> list:
    """`value` (one for all outputs, a list with one per output, or a dict by output name) as a list."""
    if isinstance(value, dict):
        for name in value:
            if name not in output_names:
                raise ValueError("Unknown entry in " + what + " dictionary: \"" + name + "\". Only expected the "
                                 "following keys: " + str(list(output_names)))
        return [value.get(name, default) for name in output_names]
    if isinstance(value, (list, tuple)):
        if len(value) != len(output_names):
            raise ValueError("When passing a list as " + what + ", it should have one entry per model output. The "
                             "model has " + str(len(output_names)) + " outputs, but you passed " + what + "="
                             + str(value))
        return list(value)
    return [value] * len(output_names)


def _cast_to(arrays: List[Optional[np.ndarray]], tensors: Sequence[Any]) -> List[Optional[np.ndarray]]:
    """Each array in the dtype of the tensor it feeds (done once per call, not per batch)."""
    return [None if a is None else np.asarray(a, dtype=K.dtype(t)) for a, t in zip(arrays, tensors)]


class Model(Network):
    """The `Model` class adds training & evaluation routines to a `Network`.

    # Arguments
        inputs: an input tensor or a list of input tensors (from `Input`).
        outputs: an output tensor or a list of output tensors.
        name: optional name of the model.

    # Example
    ```python
        inputs = Input(shape=(784,))
        x = Dense(64, activation='relu')(inputs)
        predictions = Dense(10, activation='softmax')(x)
        model = Model(inputs=inputs, outputs=predictions)
        model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
        model.fit(data, labels)
    ```
    """

    # what a model has before `compile` (and, for the functions, before first use)
    _is_compiled = False
    _function_kwargs: Dict[str, Any] = {}
    train_function = test_function = predict_function = None
    #: metrics not averaged over batches (none of the built-in ones are stateful)
    stateful_metric_names: List[str] = []

    # ------------------------------------------------------------------ compile

    def compile(self, optimizer, loss=None, metrics=None, loss_weights=None, sample_weight_mode=None,
                weighted_metrics=None, target_tensors=None, **kwargs) -> None:
        """Configures the model for training.

        # Arguments
            optimizer: String (name of optimizer) or optimizer instance.
                See [optimizers](/optimizers).
            loss: String (name of objective function) or objective function.
                See [losses](/losses).
                If the model has multiple outputs, you can use a different loss
                on each output by passing a dictionary or a list of losses.
                The loss value that will be minimized by the model
                will then be the sum of all individual losses.
            metrics: List of metrics to be evaluated by the model
                during training and testing.
                Typically you will use `metrics=['accuracy']`.
                To specify different metrics for different outputs of a
                multi-output model, you could also pass a dictionary,
                such as `metrics={'output_a': 'accuracy'}`.
            loss_weights: Optional list or dictionary specifying scalar
                coefficients (Python floats) to weight the loss contributions
                of different model outputs.
                The loss value that will be minimized by the model
                will then be the *weighted sum* of all individual losses,
                weighted by the `loss_weights` coefficients.
                If a list, it is expected to have a 1:1 mapping
                to the model's outputs. If a tensor, it is expected to map
                output names (strings) to scalar coefficients.
            sample_weight_mode: If you need to do timestep-wise
                sample weighting (2D weights), set this to `"temporal"`.
                `None` defaults to sample-wise weights (1D).
                If the model has multiple outputs, you can use a different
                `sample_weight_mode` on each output by passing a
                dictionary or a list of modes.
            weighted_metrics: List of metrics to be evaluated and weighted
                by sample_weight or class_weight during training and testing.
            target_tensors: By default, Keras will create placeholders for the
                model's target, which will be fed with the target data during
                training. If instead you would like to use your own
                target tensors, you can specify them via the `target_tensors`
                argument. It can be a single tensor (for a single-output
                model), a list of tensors, or a dict mapping output names to
                target tensors.
            **kwargs: passed on to `K.function` for the three compiled functions.

        # Raises
            ValueError: In case of invalid arguments for
                `optimizer`, `loss`, `metrics` or `sample_weight_mode`.
        """
        self.optimizer = optimizers.get(optimizer)
        self.loss = loss or []
        self.metrics = metrics or []
        self.loss_weights = loss_weights
        self.sample_weight_mode = sample_weight_mode
        self.weighted_metrics = weighted_metrics
        self._compile_target_tensors = target_tensors
        self._function_kwargs = kwargs
        self.train_function = self.test_function = self.predict_function = None
        if not self.built:
            # a Sequential model without an input shape is compiled when it first sees data
            return
        self._is_compiled = True
        self.loss_functions = self._loss_functions(loss)
        skip = [i for i, fn in enumerate(self.loss_functions) if fn is None]
        weights = _per_output(1.0 if loss_weights is None else loss_weights, self.output_names, "loss_weights", 1.0)
        self.targets = self._target_tensors(target_tensors, skip)
        modes = _per_output(sample_weight_mode, self.output_names, "sample_weight_mode", None)
        self.sample_weight_modes = [None if i in skip else mode for i, mode in enumerate(modes)]
        self.sample_weights = [None if i in skip else K.placeholder(ndim=1 if mode is None else 2,
                                                                     name=self.output_names[i] + "_sample_weights")
                               for i, mode in enumerate(modes)]
        masks = self._output_masks()
        self.metrics_names = ["loss"]
        self.metrics_tensors: List[Any] = []
        self.metrics_updates: List[Any] = []
        self.stateful_metric_names: List[str] = []
        self.total_loss = self._total_loss(weights, masks, skip)
        self._add_metric_tensors(collect_metrics(metrics, self.output_names), masks, skip, weighted=False)
        self._add_metric_tensors(collect_metrics(weighted_metrics, self.output_names), masks, skip, weighted=True)
        self._set_feeds(skip)
        self._collected_trainable_weights = self.trainable_weights

    def _loss_functions(self, loss) -> List[Optional[Callable]]:
        """One loss function per output (None where a dict of losses leaves an output out)."""
        if isinstance(loss, dict):
            for name in self.output_names:
                if name not in loss:
                    warnings.warn("Output \"" + name + "\" missing from loss dictionary. We assume this was done on "
                                  "purpose, and we will not be expecting any data to be passed to \"" + name
                                  + "\" during training.", stacklevel=3)
        per_output = _per_output(loss, self.output_names, "loss", None)
        return [losses_module.get(fn) if fn is not None else None for fn in per_output]

    def _target_tensors(self, target_tensors, skip: Sequence[int]) -> List[Any]:
        """The targets: the user's `target_tensors` where given, else one placeholder per trained output."""
        given = _per_output(target_tensors, self.output_names, "target_tensors", None) \
            if target_tensors is not None else [None] * len(self.outputs)
        self._fed_target_indices = [i for i, t in enumerate(given) if t is None and i not in skip]
        targets = []
        for i, (output, tensor) in enumerate(zip(self.outputs, given)):
            if tensor is None and i not in skip:
                tensor = K.placeholder(ndim=K.ndim(output), name=self.output_names[i] + "_target",
                                       dtype=K.dtype(output))
            targets.append(tensor)
        return targets

    def _output_masks(self) -> List[Any]:
        masks = self.compute_mask(self.inputs, mask=None)
        return [None] * len(self.outputs) if masks is None else to_list(masks)

    def _total_loss(self, weights: Sequence[float], masks: Sequence[Any], skip: Sequence[int]):
        """The weighted sum of the output losses plus the regularization and `add_loss` terms."""
        total_loss = None
        for i, (fn, y_true, y_pred) in enumerate(zip(self.loss_functions, self.targets, self.outputs)):
            if i in skip:
                continue
            with K.name_scope(self.output_names[i] + "_loss"):
                output_loss = weighted_masked_objective(fn)(y_true, y_pred, self.sample_weights[i], masks[i])
            if len(self.outputs) > 1:
                self.metrics_tensors.append(output_loss)
                self.metrics_names.append(self.output_names[i] + "_loss")
            term = weights[i] * output_loss
            total_loss = term if total_loss is None else total_loss + term
        if total_loss is None:
            if not self.losses:
                raise ValueError("The model cannot be compiled because it has no loss to optimize.")
            total_loss = 0.0
        for loss_tensor in self.losses:
            total_loss = total_loss + loss_tensor
        return K.cast(total_loss, K.floatx()) if isinstance(total_loss, float) else total_loss

    def _resolve_metric(self, metric: Any, i: int) -> Tuple[Callable, str]:
        """The function and display name of one metric on output `i` ('acc' picks its variant from the output)."""
        if metric in ("accuracy", "acc", "crossentropy", "ce"):
            if K.int_shape(self.outputs[i])[-1] == 1 or self.loss_functions[i] is losses_module.binary_crossentropy:
                case = "binary"
            elif self.loss_functions[i] is losses_module.sparse_categorical_crossentropy:
                case = "sparse"
            else:
                case = "categorical"
            if metric in ("accuracy", "acc"):
                return _ACCURACY[case], "acc"
            return _CROSSENTROPY[case], "ce"
        metric_fn = metrics_module.get(metric)
        return metric_fn, getattr(metric_fn, "name", None) or metric_fn.__name__

    def _add_metric_tensors(self, nested_metrics: List[list], masks: Sequence[Any], skip: Sequence[int],
                            weighted: bool) -> None:
        """Appends each output's metrics to `metrics_tensors` under Keras's names (``acc``, ``dense_2_acc``...)."""
        for i, output_metrics in enumerate(nested_metrics):
            if i in skip:
                continue
            for metric in output_metrics:
                metric_fn, name = self._resolve_metric(metric, i)
                name = ("weighted_" if weighted else "") + name
                if len(self.output_names) > 1:
                    name = self.output_names[i] + "_" + name
                unique, j = name, 1
                while unique in self.metrics_names:
                    unique, j = name + "_" + str(j), j + 1
                with K.name_scope(unique):
                    value = weighted_masked_objective(metric_fn)(
                        self.targets[i], self.outputs[i], self.sample_weights[i] if weighted else None, masks[i])
                self.metrics_names.append(unique)
                self.metrics_tensors.append(value)

    def _set_feeds(self, skip: Sequence[int]) -> None:
        """What `fit` feeds for the targets: names, shapes, losses and weight modes of the fed outputs."""
        fed = self._fed_target_indices
        self._feed_targets = [self.targets[i] for i in fed]
        self._feed_outputs = [self.outputs[i] for i in fed]
        self._feed_output_names = [self.output_names[i] for i in fed]
        self._feed_output_shapes = [K.int_shape(self.outputs[i]) for i in fed]
        self._feed_loss_fns = [self.loss_functions[i] for i in fed]
        self._feed_sample_weight_modes = [self.sample_weight_modes[i] for i in fed]
        self._feed_sample_weights = [self.sample_weights[i] for i in fed]

    # ------------------------------------------------------- compiled functions

    def _check_trainable_weights_consistency(self) -> None:
        """Warns when `trainable` changed since `compile`: the change takes effect at the next `compile`."""
        if len(self.trainable_weights) != len(self._collected_trainable_weights):
            warnings.warn("Discrepancy between trainable weights and collected trainable weights, did you set "
                          "`model.trainable` without calling `model.compile` after ?", stacklevel=3)

    def _function(self, inputs: List[Any], outputs: List[Any], updates: List[Any], phase: int, name: str):
        """Compiles one function; the learning phase, when the model uses it, is a constant `phase` in its graph."""
        kwargs = dict(self._function_kwargs)
        if self.uses_learning_phase and not isinstance(K.learning_phase(), int):
            # a constant flag lets the optimizer drop the branch of the other phase (dropout masks at test time)
            givens = list(kwargs.pop("givens", []))
            kwargs["givens"] = givens + [(K.learning_phase(), K.constant(phase, dtype="uint8"))]
        return K.function(inputs, outputs, updates=updates, name=name, **kwargs)

    def _make_train_function(self) -> None:
        if not self._is_compiled:
            raise RuntimeError("You must compile your model before using it.")
        self._check_trainable_weights_consistency()
        if self.train_function is None:
            inputs = self._feed_inputs + self._feed_targets + self._feed_sample_weights
            with K.name_scope("training"):
                training_updates = self.optimizer.get_updates(params=self._collected_trainable_weights,
                                                              loss=self.total_loss)
            updates = list(self.updates) + list(training_updates) + self.metrics_updates
            self.train_function = self._function(inputs, [self.total_loss] + self.metrics_tensors, updates, 1,
                                                 "train_function")

    def _make_test_function(self) -> None:
        if not self._is_compiled:
            raise RuntimeError("You must compile your model before using it.")
        if self.test_function is None:
            inputs = self._feed_inputs + self._feed_targets + self._feed_sample_weights
            updates = list(self.state_updates) + self.metrics_updates
            self.test_function = self._function(inputs, [self.total_loss] + self.metrics_tensors, updates, 0,
                                                "test_function")

    def _make_predict_function(self) -> None:
        if self.predict_function is None:
            self.predict_function = self._function(self._feed_inputs, self.outputs, list(self.state_updates), 0,
                                                   "predict_function")

    def _get_callback_model(self) -> "Model":
        """The model the callbacks see (a wrapper may point them to an inner model)."""
        return getattr(self, "callback_model", None) or self

    # ------------------------------------------------------------- user data

    def _build_for_data(self, x: Data) -> None:
        """Builds a model that does not know its input yet from the first data it gets (see `Sequential`)."""
        raise RuntimeError("The model has no inputs; build it (or give its first layer an input shape) before "
                           "feeding it data.")

    def _standardize_user_data(self, x: Data, y: Data = None, sample_weight=None, class_weight=None,
                               check_array_lengths: bool = True, batch_size: Optional[int] = None
                               ) -> Tuple[list, list, list]:
        """Checks `x`, `y` and the weights against the model and returns them as lists of arrays.

        # Raises
            ValueError: naming the input or output and the shapes, for data the model cannot take.
        """
        if not self.built:
            self._build_for_data(x)
            if y is not None and getattr(self, "optimizer", None) is not None:
                self.compile(self.optimizer, self.loss, self.metrics, self.loss_weights, self.sample_weight_mode,
                             self.weighted_metrics, self._compile_target_tensors, **self._function_kwargs)
        x = standardize_input_data(x, self._feed_input_names, self._feed_input_shapes, check_batch_axis=False,
                                   exception_prefix="input")
        x = _cast_to(x, self._feed_inputs)
        if y is None:
            return x, [], []
        if not self._is_compiled:
            raise RuntimeError("You must compile a model before training/testing. Use `model.compile(optimizer, "
                               "loss)`.")
        shapes = [self._target_shape(shape, fn) for shape, fn in zip(self._feed_output_shapes, self._feed_loss_fns)]
        y = standardize_input_data(y, self._feed_output_names, shapes, check_batch_axis=False,
                                   exception_prefix="target")
        sample_weights = standardize_sample_or_class_weights(sample_weight, self._feed_output_names, "sample_weight")
        class_weights = standardize_sample_or_class_weights(class_weight, self._feed_output_names, "class_weight")
        sample_weights = [standardize_weights(ref, sw, cw, mode) for ref, sw, cw, mode in
                          zip(y, sample_weights, class_weights, self._feed_sample_weight_modes)]
        if check_array_lengths:
            check_array_length_consistency(x, y, sample_weights)
        check_loss_and_target_compatibility(y, self._feed_loss_fns, self._feed_output_shapes, self._feed_output_names)
        if self.stateful and batch_size and x[0].shape[0] % batch_size != 0:
            raise ValueError("In a stateful network, you should only pass inputs with a number of samples that can be "
                             "divided by the batch size. Found: " + str(x[0].shape[0]) + " samples")
        return x, _cast_to(y, self._feed_targets), _cast_to(sample_weights, self._feed_sample_weights)

    @staticmethod
    def _target_shape(output_shape: tuple, loss_fn: Optional[Callable]) -> Optional[tuple]:
        """The shape a target must have: the output's; ``(..., 1)`` for sparse labels; unchecked for custom losses."""
        if loss_fn is losses_module.sparse_categorical_crossentropy:
            return output_shape[:-1] + (1,)
        if getattr(losses_module, getattr(loss_fn, "__name__", ""), None) is not loss_fn:
            return None
        return output_shape

    def _validation_inputs(self, validation_data, batch_size: Optional[int]) -> list:
        """`(x_val, y_val)` or `(x_val, y_val, val_sample_weights)` as the arrays the test function takes."""
        if len(validation_data) not in (2, 3):
            raise ValueError("When passing validation_data, it must contain 2 (x_val, y_val) or 3 (x_val, y_val, "
                             "val_sample_weights) items, however it contains %d items" % len(validation_data))
        val_x, val_y = validation_data[:2]
        val_sample_weight = validation_data[2] if len(validation_data) == 3 else None
        val_x, val_y, val_weights = self._standardize_user_data(val_x, val_y, sample_weight=val_sample_weight,
                                                                batch_size=batch_size)
        return val_x + val_y + val_weights

    # -------------------------------------------------------------- training

    @interfaces.legacy_fit_support
    def fit(self, x: Data = None, y: Data = None, batch_size: Optional[int] = None, epochs: int = 1,
            verbose: int = 1, callbacks: Optional[List[Callback]] = None, validation_split: float = 0.0,
            validation_data=None, shuffle: Union[bool, str] = True, class_weight=None, sample_weight=None,
            initial_epoch: int = 0, steps_per_epoch: Optional[int] = None, validation_steps: Optional[int] = None,
            **kwargs) -> History:
        """Trains the model for a given number of epochs (iterations on a dataset).

        # Arguments
            x: Numpy array of training data (if the model has a single input),
                or list of Numpy arrays (if the model has multiple inputs).
                If input layers in the model are named, you can also pass a
                dictionary mapping input names to Numpy arrays.
            y: Numpy array of target (label) data
                (if the model has a single output),
                or list of Numpy arrays (if the model has multiple outputs).
                If output layers in the model are named, you can also pass a
                dictionary mapping output names to Numpy arrays.
            batch_size: Integer or `None`.
                Number of samples per gradient update.
                If unspecified, `batch_size` will default to 32.
            epochs: Integer. Number of epochs to train the model.
                An epoch is an iteration over the entire `x` and `y`
                data provided.
                Note that in conjunction with `initial_epoch`,
                `epochs` is to be understood as "final epoch".
                The model is not trained for a number of iterations
                given by `epochs`, but merely until the epoch
                of index `epochs` is reached.
            verbose: Integer. 0, 1, or 2. Verbosity mode.
                0 = silent, 1 = progress bar, 2 = one line per epoch.
            callbacks: List of `keras.callbacks.Callback` instances.
                List of callbacks to apply during training.
            validation_split: Float between 0 and 1.
                Fraction of the training data to be used as validation data.
                The model will set apart this fraction of the training data,
                will not train on it, and will evaluate
                the loss and any model metrics
                on this data at the end of each epoch.
                The validation data is selected from the last samples
                in the `x` and `y` data provided, before shuffling.
            validation_data: tuple `(x_val, y_val)` or tuple
                `(x_val, y_val, val_sample_weights)` on which to evaluate
                the loss and any model metrics at the end of each epoch.
                The model will not be trained on this data.
                `validation_data` will override `validation_split`.
            shuffle: Boolean (whether to shuffle the training data
                before each epoch) or str (for 'batch').
                'batch' is a special option for dealing with the
                limitations of HDF5 data; it shuffles in batch-sized chunks.
                Has no effect when `steps_per_epoch` is not `None`.
            class_weight: Optional dictionary mapping class indices (integers)
                to a weight (float) value, used for weighting the loss function
                (during training only).
                This can be useful to tell the model to
                "pay more attention" to samples from
                an under-represented class.
            sample_weight: Optional Numpy array of weights for
                the training samples, used for weighting the loss function
                (during training only). You can either pass a flat (1D)
                Numpy array with the same length as the input samples
                (1:1 mapping between weights and samples),
                or in the case of temporal data,
                you can pass a 2D array with shape
                `(samples, sequence_length)`,
                to apply a different weight to every timestep of every sample.
                In this case you should make sure to specify
                `sample_weight_mode="temporal"` in `compile()`.
            initial_epoch: Integer.
                Epoch at which to start training
                (useful for resuming a previous training run).
            steps_per_epoch: Integer or `None`.
                Total number of steps (batches of samples)
                before declaring one epoch finished and starting the
                next epoch. The default `None` is equal to
                the number of samples in your dataset divided by
                the batch size, or 1 if that cannot be determined.
            validation_steps: Only relevant if `steps_per_epoch`
                is specified. Total number of steps (batches of samples)
                to validate before stopping.
            **kwargs: none is accepted (Keras 1's `nb_epoch` is renamed `epochs`, with a warning).

        # Returns
            A `History` object. Its `History.history` attribute is
            a record of training loss values and metrics values
            at successive epochs, as well as validation loss values
            and validation metrics values (if applicable).

        # Raises
            RuntimeError: If the model was never compiled.
            ValueError: In case of mismatch between the provided input data
                and what the model expects.
        """
        if batch_size is None and steps_per_epoch is None:
            batch_size = 32
        if kwargs:
            raise TypeError("Unrecognized keyword arguments: " + str(kwargs))
        if x is None and y is None and steps_per_epoch is None:
            raise ValueError("If fitting from data tensors, you should specify the `steps_per_epoch` argument.")
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight,
                                                           class_weight=class_weight, batch_size=batch_size)
        val_inputs = None
        if validation_data:
            val_inputs = self._validation_inputs(validation_data, batch_size)
        elif validation_split and 0.0 < validation_split < 1.0:
            split_at = int(x[0].shape[0] * (1.0 - validation_split))
            x, val_x = slice_arrays(x, 0, split_at), slice_arrays(x, split_at)
            y, val_y = slice_arrays(y, 0, split_at), slice_arrays(y, split_at)
            sample_weights, val_weights = slice_arrays(sample_weights, 0, split_at), slice_arrays(sample_weights,
                                                                                                   split_at)
            val_inputs = val_x + val_y + val_weights
        self._make_train_function()
        if val_inputs is not None:
            self._make_test_function()
        return training_arrays.fit_loop(
            self, self.train_function, x + y + sample_weights, out_labels=self.metrics_names, batch_size=batch_size,
            epochs=epochs, verbose=verbose, callbacks=callbacks, val_function=self.test_function,
            val_inputs=val_inputs, shuffle=shuffle, initial_epoch=initial_epoch, steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps)

    def evaluate(self, x: Data = None, y: Data = None, batch_size: Optional[int] = None, verbose: int = 1,
                 sample_weight=None, steps: Optional[int] = None) -> Result:
        """Returns the loss value & metrics values for the model in test mode.

        Computation is done in batches.

        # Arguments
            x: Numpy array of test data (if the model has a single input),
                or list of Numpy arrays (if the model has multiple inputs).
                If input layers in the model are named, you can also pass a
                dictionary mapping input names to Numpy arrays.
            y: Numpy array of target (label) data
                (if the model has a single output),
                or list of Numpy arrays (if the model has multiple outputs).
                If output layers in the model are named, you can also pass a
                dictionary mapping output names to Numpy arrays.
            batch_size: Integer or `None`.
                Number of samples per evaluation step.
                If unspecified, `batch_size` will default to 32.
            verbose: 0 or 1. Verbosity mode.
                0 = silent, 1 = progress bar.
            sample_weight: Optional Numpy array of weights for
                the test samples, used for weighting the loss function.
            steps: Integer or `None`.
                Total number of steps (batches of samples)
                before declaring the evaluation round finished.
                Ignored with the default value of `None`.

        # Returns
            Scalar test loss (if the model has a single output and no metrics)
            or list of scalars (if the model has multiple outputs
            and/or metrics). The attribute `model.metrics_names` will give you
            the display labels for the scalar outputs.

        # Raises
            ValueError: in case of invalid arguments.
        """
        if batch_size is None and steps is None:
            batch_size = 32
        if x is None and y is None and steps is None:
            raise ValueError("If evaluating from data tensors, you should specify the `steps` argument.")
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight, batch_size=batch_size)
        self._make_test_function()
        return training_arrays.test_loop(self, self.test_function, x + y + sample_weights, batch_size=batch_size,
                                         verbose=verbose, steps=steps)

    def predict(self, x: Data, batch_size: Optional[int] = None, verbose: int = 0,
                steps: Optional[int] = None) -> Union[np.ndarray, List[np.ndarray]]:
        """Generates output predictions for the input samples.

        Computation is done in batches.

        # Arguments
            x: The input data, as a Numpy array
                (or list of Numpy arrays if the model has multiple inputs).
            batch_size: Integer. If unspecified, it will default to 32.
            verbose: Verbosity mode, 0 or 1.
            steps: Total number of steps (batches of samples)
                before declaring the prediction round finished.
                Ignored with the default value of `None`.

        # Returns
            Numpy array(s) of predictions.

        # Raises
            ValueError: In case of mismatch between the provided
                input data and the model's expectations,
                or in case a stateful model receives a number of samples
                that is not a multiple of the batch size.
        """
        if batch_size is None and steps is None:
            batch_size = 32
        if x is None and steps is None:
            raise ValueError("If predicting from data tensors, you should specify the `steps` argument.")
        x, _, _ = self._standardize_user_data(x)
        if self.stateful and x[0].shape[0] > batch_size and x[0].shape[0] % batch_size != 0:
            raise ValueError("In a stateful network, you should only pass inputs with a number of samples that can be "
                             "divided by the batch size. Found: " + str(x[0].shape[0]) + " samples. Batch size: "
                             + str(batch_size) + ".")
        self._make_predict_function()
        return training_arrays.predict_loop(self, self.predict_function, x, batch_size=batch_size, verbose=verbose,
                                            steps=steps)

    def train_on_batch(self, x: Data, y: Data, sample_weight=None, class_weight=None) -> Result:
        """Runs a single gradient update on a single batch of data.

        # Arguments
            x: Numpy array of training data,
                or list of Numpy arrays if the model has multiple inputs.
                If all inputs in the model are named,
                you can also pass a dictionary
                mapping input names to Numpy arrays.
            y: Numpy array of target data,
                or list of Numpy arrays if the model has multiple outputs.
                If all outputs in the model are named,
                you can also pass a dictionary
                mapping output names to Numpy arrays.
            sample_weight: Optional array of the same length as x, containing
                weights to apply to the model's loss for each sample.
                In the case of temporal data, you can pass a 2D array
                with shape (samples, sequence_length),
                to apply a different weight to every timestep of every sample.
                In this case you should make sure to specify
                sample_weight_mode="temporal" in compile().
            class_weight: Optional dictionary mapping
                class indices (integers) to
                a weight (float) to apply to the model's loss for the samples
                from this class during training.
                This can be useful to tell the model to "pay more attention" to
                samples from an under-represented class.

        # Returns
            Scalar training loss
            (if the model has a single output and no metrics)
            or list of scalars (if the model has multiple outputs
            and/or metrics). The attribute `model.metrics_names` will give you
            the display labels for the scalar outputs.
        """
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight,
                                                           class_weight=class_weight)
        self._make_train_function()
        outputs = self.train_function(x + y + sample_weights)
        return unpack_singleton([training_arrays.as_log_value(o) for o in outputs])

    def test_on_batch(self, x: Data, y: Data, sample_weight=None) -> Result:
        """Test the model on a single batch of samples.

        # Arguments
            x: Numpy array of test data,
                or list of Numpy arrays if the model has multiple inputs.
                If all inputs in the model are named,
                you can also pass a dictionary
                mapping input names to Numpy arrays.
            y: Numpy array of target data,
                or list of Numpy arrays if the model has multiple outputs.
                If all outputs in the model are named,
                you can also pass a dictionary
                mapping output names to Numpy arrays.
            sample_weight: Optional array of the same length as x, containing
                weights to apply to the model's loss for each sample.

        # Returns
            Scalar test loss (if the model has a single output and no metrics)
            or list of scalars (if the model has multiple outputs
            and/or metrics). The attribute `model.metrics_names` will give you
            the display labels for the scalar outputs.
        """
        x, y, sample_weights = self._standardize_user_data(x, y, sample_weight=sample_weight)
        self._make_test_function()
        outputs = self.test_function(x + y + sample_weights)
        return unpack_singleton([training_arrays.as_log_value(o) for o in outputs])

    def predict_on_batch(self, x: Data) -> Union[np.ndarray, List[np.ndarray]]:
        """Returns predictions for a single batch of samples.

        # Arguments
            x: Input samples, as a Numpy array.

        # Returns
            Numpy array(s) of predictions.
        """
        x, _, _ = self._standardize_user_data(x)
        self._make_predict_function()
        return unpack_singleton(to_list(self.predict_function(x)))

    @interfaces.legacy_generator_methods_support
    def fit_generator(self, generator, steps_per_epoch: Optional[int] = None, epochs: int = 1, verbose: int = 1,
                      callbacks: Optional[List[Callback]] = None, validation_data=None,
                      validation_steps: Optional[int] = None, class_weight=None, max_queue_size: int = 10,
                      workers: int = 1, use_multiprocessing: bool = False, shuffle: bool = True,
                      initial_epoch: int = 0) -> History:
        """Trains the model on data generated batch-by-batch by a Python generator (or an instance of `Sequence`).

        # Arguments
            generator: A generator or an instance of `Sequence`
                (`keras.utils.Sequence`) object. The output of the generator
                must be either a tuple `(inputs, targets)` or a tuple
                `(inputs, targets, sample_weights)`.
            steps_per_epoch: Integer. Total number of steps (batches of samples)
                to yield from `generator` before declaring one epoch
                finished and starting the next epoch. Optional for `Sequence`:
                if unspecified, will use the `len(generator)` as a number of steps.
            epochs: Integer. Number of epochs to train the model
                (the index of the final epoch, see `fit`).
            verbose: Integer. 0, 1, or 2. Verbosity mode.
            callbacks: List of `keras.callbacks.Callback` instances.
            validation_data: A generator or `Sequence` of validation batches,
                or a tuple `(x_val, y_val)` or `(x_val, y_val, val_sample_weights)`.
            validation_steps: Steps of a validation generator per epoch
                (optional for a `Sequence`: `len(validation_data)`).
            class_weight: Optional dictionary mapping class indices (integers)
                to a weight (float) value, used for weighting the loss function.
            max_queue_size: Accepted for compatibility; batches are drawn
                in the training thread.
            workers: Accepted for compatibility (see `max_queue_size`).
            use_multiprocessing: Accepted for compatibility (see `max_queue_size`).
            shuffle: Boolean. Whether to shuffle the order of the batches at
                the beginning of each epoch. Only used with instances
                of `Sequence` (`keras.utils.Sequence`).
            initial_epoch: Integer. Epoch at which to start training.

        # Returns
            A `History` object.

        # Raises
            ValueError: In case the generator yields data in an invalid format.
        """
        return training_generator.fit_generator(
            self, generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose, callbacks=callbacks,
            validation_data=validation_data, validation_steps=validation_steps, class_weight=class_weight,
            shuffle=shuffle, initial_epoch=initial_epoch)

    @interfaces.legacy_generator_methods_support
    def evaluate_generator(self, generator, steps: Optional[int] = None, max_queue_size: int = 10, workers: int = 1,
                           use_multiprocessing: bool = False, verbose: int = 0) -> Result:
        """Evaluates the model on a data generator.

        # Arguments
            generator: Generator yielding tuples (inputs, targets)
                or (inputs, targets, sample_weights)
                or an instance of Sequence (keras.utils.Sequence)
                object in order to avoid duplicate data
                when using multiprocessing.
            steps: Total number of steps (batches of samples)
                to yield from `generator` before stopping.
                Optional for `Sequence`: if unspecified, will use
                the `len(generator)` as a number of steps.
            max_queue_size: accepted for compatibility.
            workers: accepted for compatibility.
            use_multiprocessing: accepted for compatibility.
            verbose: verbosity mode, 0 or 1.

        # Returns
            Scalar test loss (if the model has a single output and no metrics)
            or list of scalars (if the model has multiple outputs
            and/or metrics).

        # Raises
            ValueError: In case the generator yields data in an invalid format.
        """
        return training_generator.evaluate_generator(self, generator, steps=steps, verbose=verbose)

    @interfaces.legacy_generator_methods_support
    def predict_generator(self, generator, steps: Optional[int] = None, max_queue_size: int = 10, workers: int = 1,
                          use_multiprocessing: bool = False, verbose: int = 0) -> Union[np.ndarray, List[np.ndarray]]:
        """Generates predictions for the input samples from a data generator.

        # Arguments
            generator: Generator yielding batches of input samples
                or an instance of Sequence (keras.utils.Sequence)
                object in order to avoid duplicate data
                when using multiprocessing.
            steps: Total number of steps (batches of samples)
                to yield from `generator` before stopping.
                Optional for `Sequence`: if unspecified, will use
                the `len(generator)` as a number of steps.
            max_queue_size: accepted for compatibility.
            workers: accepted for compatibility.
            use_multiprocessing: accepted for compatibility.
            verbose: verbosity mode, 0 or 1.

        # Returns
            Numpy array(s) of predictions.

        # Raises
            ValueError: In case the generator yields data in an invalid format.
        """
        return training_generator.predict_generator(self, generator, steps=steps, verbose=verbose)
