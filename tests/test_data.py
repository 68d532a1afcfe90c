"""vc.load_mnist (chapter 4): the offline sample, the printed line, the
environment switch, corrupt files and failed downloads. Never touches the
network: downloads are monkeypatched."""

from __future__ import annotations

import struct

import numpy as np
import pytest
import torch
import torchvision

import vae_course as vc

RAW_FILES = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)


def idx_images(n: int, rows: int = 28, cols: int = 28) -> bytes:
    """A well-formed IDX image file (the format torchvision reads) with n
    images."""
    return struct.pack(">IIII", 0x803, n, rows, cols) + bytes(
        np.arange(n * rows * cols, dtype=np.uint8)
    )


def idx_labels(n: int) -> bytes:
    return struct.pack(">II", 0x801, n) + bytes(
        np.arange(n, dtype=np.uint8) % 10
    )


def write_raw(root, contents: dict[str, bytes]):
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name, data in contents.items():
        (raw / name).write_bytes(data)
    return raw


@pytest.fixture
def no_download(monkeypatch):
    """torchvision's download raises as it does without network; records
    whether it was tried."""
    calls = []

    def fail(self, *args, **kwargs):
        calls.append(self.root)
        raise RuntimeError(
            "Error downloading train-images-idx3-ubyte.gz "
            "(network unreachable)"
        )

    monkeypatch.setattr(torchvision.datasets.MNIST, "download", fail)
    monkeypatch.delenv("VAE_COURSE_OFFLINE", raising=False)
    return calls


# ------------------------------------------------------------- offline sample
def test_offline_sample_shapes_types_and_range(mnist):
    assert mnist.source == "offline"
    assert mnist.train_images.shape == (4000, 1, 28, 28)
    assert mnist.test_images.shape == (1000, 1, 28, 28)
    assert mnist.train_images.dtype == mnist.test_images.dtype == torch.float32
    assert mnist.train_labels.shape == (4000,) and mnist.test_labels.shape == (
        1000,
    )
    assert mnist.train_labels.dtype == mnist.test_labels.dtype == torch.int64
    for images in (mnist.train_images, mnist.test_images):
        assert images.min() == 0.0 and images.max() == 1.0
        # real digits: mostly background, a fraction of ink, many grey levels
        assert 0.08 < images.mean() < 0.2
        assert len(torch.unique(images[:50])) > 100
    assert mnist.binarize is False


def test_offline_sample_is_stratified(mnist):
    assert (
        torch.bincount(mnist.train_labels, minlength=10).tolist() == [400] * 10
    )
    assert (
        torch.bincount(mnist.test_labels, minlength=10).tolist() == [100] * 10
    )
    assert set(mnist.train_labels.tolist()) == set(range(10))


def test_offline_split_is_fixed_and_disjoint(mnist):
    again = vc.load_mnist(source="offline", verbose=False)
    assert torch.equal(again.train_images, mnist.train_images)
    assert torch.equal(again.test_labels, mnist.test_labels)
    train = {
        bytes(row)
        for row in (mnist.train_images.view(4000, -1) * 255)
        .round()
        .to(torch.uint8)
        .numpy()
    }
    test = {
        bytes(row)
        for row in (mnist.test_images.view(1000, -1) * 255)
        .round()
        .to(torch.uint8)
        .numpy()
    }
    # no test image is also a training image (up to a duplicate in MNIST)
    assert len(train & test) <= 1


def test_the_split_is_shuffled(mnist):
    """Not sorted by digit, so the first batch of an unshuffled loop would not
    be all zeros."""
    assert len(set(mnist.train_labels[:50].tolist())) >= 5
    assert len(set(mnist.test_labels[:50].tolist())) >= 5


def test_prints_exactly_one_line_naming_the_data(capsys):
    data = vc.load_mnist(source="offline")
    lines = capsys.readouterr().out.splitlines()
    assert lines == [data.description]
    assert (
        "offline" in data.description.lower()
        and "4,000" in data.description
        and "1,000" in data.description
    )


def test_verbose_false_prints_nothing(capsys):
    vc.load_mnist(source="offline", verbose=False)
    assert capsys.readouterr().out == ""


def test_binarize_flag_is_recorded():
    data = vc.load_mnist(source="offline", binarize=True, verbose=False)
    assert data.binarize is True
    # the images themselves stay grey: the trainer binarizes each batch anew
    assert len(torch.unique(data.train_images[:10])) > 2


def test_to_device_keeps_everything():
    data = vc.load_mnist(source="offline", verbose=False).to("cpu")
    assert data.train_images.device.type == "cpu" and data.source == "offline"


# -------------------------------------------------------- choosing the source
def test_env_var_forces_the_offline_sample_without_touching_torchvision(
    monkeypatch, tmp_path, capsys
):
    calls = []

    def spy(self, *args, **kwargs):
        calls.append(args)
        raise AssertionError(
            "torchvision must not be used when VAE_COURSE_OFFLINE=1"
        )

    monkeypatch.setattr(torchvision.datasets.MNIST, "__init__", spy)
    monkeypatch.setenv("VAE_COURSE_OFFLINE", "1")
    write_raw(
        tmp_path, {name: b"present but never read" for name in RAW_FILES}
    )
    data = vc.load_mnist(root=tmp_path)
    assert data.source == "offline" and calls == []
    assert capsys.readouterr().out.splitlines() == [data.description]


def test_missing_files_and_failed_download_fall_back_to_offline(
    no_download, tmp_path, capsys
):
    data = vc.load_mnist(root=tmp_path, source="auto")
    assert no_download, "the download should have been attempted"
    assert data.source == "offline"
    assert data.train_images.shape == (4000, 1, 28, 28)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and "offline" in lines[0].lower()
    assert (
        "download" in lines[0].lower()
    )  # and it says why real MNIST was not used


def test_missing_files_without_download_fall_back(no_download, tmp_path):
    data = vc.load_mnist(
        root=tmp_path, source="auto", download=False, verbose=False
    )
    assert data.source == "offline" and no_download == []


def test_torchvision_source_without_files_is_a_data_error(
    no_download, tmp_path
):
    with pytest.raises(vc.DataError) as excinfo:
        vc.load_mnist(root=tmp_path, source="torchvision", verbose=False)
    message = str(excinfo.value)
    assert "not available" in message and "download failed" in message


def test_unknown_source():
    with pytest.raises(ValueError) as excinfo:
        vc.load_mnist(source="kaggle", verbose=False)
    message = str(excinfo.value)
    assert (
        "kaggle" in message
        and "offline" in message
        and "torchvision" in message
    )


# -------------------------------------------------------------- corrupt files
@pytest.mark.parametrize(
    "contents",
    [
        pytest.param(
            {name: b"\x00garbage, not an IDX file" * 3 for name in RAW_FILES},
            id="garbage",
        ),
        pytest.param(
            {
                "train-images-idx3-ubyte": struct.pack(
                    ">IIII", 0x803, 60000, 28, 28
                )
                + b"\x00" * 1000,
                "train-labels-idx1-ubyte": idx_labels(60000),
                "t10k-images-idx3-ubyte": idx_images(10000),
                "t10k-labels-idx1-ubyte": idx_labels(10000),
            },
            id="truncated",
        ),
        pytest.param(
            {
                "train-images-idx3-ubyte": idx_images(10),
                "train-labels-idx1-ubyte": idx_labels(10),
                "t10k-images-idx3-ubyte": idx_images(10),
                "t10k-labels-idx1-ubyte": idx_labels(10),
            },
            id="wrong-size",
        ),
        pytest.param({name: b"" for name in RAW_FILES}, id="empty"),
    ],
)
def test_corrupt_files_raise_a_clear_data_error(
    no_download, tmp_path, contents
):
    raw = write_raw(tmp_path, contents)
    with pytest.raises(vc.DataError) as excinfo:
        vc.load_mnist(root=tmp_path, verbose=False)
    message = str(excinfo.value)
    assert str(raw) in message  # says which files
    assert "source='offline'" in message  # and what to do instead


def test_valid_files_are_loaded_through_torchvision(
    no_download, tmp_path, capsys
):
    """Well-formed files of the real sizes (synthetic pixels): source
    'torchvision', [0, 1] floats."""
    write_raw(
        tmp_path,
        {
            "train-images-idx3-ubyte": idx_images(60000),
            "train-labels-idx1-ubyte": idx_labels(60000),
            "t10k-images-idx3-ubyte": idx_images(10000),
            "t10k-labels-idx1-ubyte": idx_labels(10000),
        },
    )
    data = vc.load_mnist(root=tmp_path)
    assert data.source == "torchvision" and no_download == []
    assert data.train_images.shape == (
        60000,
        1,
        28,
        28,
    ) and data.test_images.shape == (10000, 1, 28, 28)
    assert (
        data.train_images.dtype == torch.float32
        and data.train_labels.dtype == torch.int64
    )
    assert data.train_images.min() == 0.0 and data.train_images.max() == 1.0
    assert capsys.readouterr().out.splitlines() == [data.description]
    assert "60,000" in data.description


# ------------------------------------ permissions, labels, the offline switch
def real_size_files(labels: bytes | None = None) -> dict[str, bytes]:
    return {
        "train-images-idx3-ubyte": idx_images(60000),
        "train-labels-idx1-ubyte": labels or idx_labels(60000),
        "t10k-images-idx3-ubyte": idx_images(10000),
        "t10k-labels-idx1-ubyte": idx_labels(10000),
    }


def test_out_of_range_labels_are_a_data_error_with_the_path(
    no_download, tmp_path
):
    labels = struct.pack(">II", 0x801, 60000) + bytes([3] * 59999 + [11])
    raw = write_raw(tmp_path, real_size_files(labels))
    with pytest.raises(vc.DataError) as excinfo:
        vc.load_mnist(root=tmp_path, verbose=False)
    message = str(excinfo.value)
    assert str(raw) in message and "11" in message and "0 to 9" in message


def test_unreadable_files_are_a_data_error_with_the_path(
    no_download, tmp_path, monkeypatch
):
    """As root a chmod would not stop the read, so the read itself is
    denied."""
    raw = write_raw(tmp_path, real_size_files())

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(raw))

    monkeypatch.setattr(torchvision.datasets.MNIST, "_load_data", denied)
    with pytest.raises(vc.DataError) as excinfo:
        vc.load_mnist(root=tmp_path, verbose=False)
    message = str(excinfo.value)
    assert str(raw) in message and "permission" in message.lower()


def test_an_unreadable_folder_is_a_data_error_with_the_path(
    no_download, tmp_path, monkeypatch
):
    raw = tmp_path / "MNIST" / "raw"
    real_exists = type(raw).exists

    def exists(path, *args, **kwargs):
        if str(path).startswith(str(raw)):
            raise PermissionError(13, "Permission denied", str(path))
        return real_exists(path, *args, **kwargs)

    monkeypatch.setattr(type(raw), "exists", exists)
    with pytest.raises(vc.DataError) as excinfo:
        vc.load_mnist(root=tmp_path, verbose=False)
    assert str(raw) in str(excinfo.value)


@pytest.mark.parametrize("value", ["0", "false", "no", "off", ""])
def test_offline_switch_off_words_try_torchvision(
    no_download, tmp_path, monkeypatch, value
):
    monkeypatch.setenv("VAE_COURSE_OFFLINE", value)
    data = vc.load_mnist(root=tmp_path, verbose=False)
    assert no_download, f"VAE_COURSE_OFFLINE={value!r} should allow a download"
    assert "download failed" in data.description


@pytest.mark.parametrize("value", ["maybe", "2", "offline"])
def test_offline_switch_refuses_values_it_does_not_know(monkeypatch, value):
    monkeypatch.setenv("VAE_COURSE_OFFLINE", value)
    with pytest.raises(ValueError) as excinfo:
        vc.load_mnist(verbose=False)
    message = str(excinfo.value)
    assert "VAE_COURSE_OFFLINE" in message and repr(value) in message
