$.ajax({ url: 'time', dataType: 'json' }).done((data) => {
  $('body').text(JSON.stringify(data));
  console.log(data);
});
